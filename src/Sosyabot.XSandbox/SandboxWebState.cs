using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Sosyabot.XSandbox;

// A browser session on the stand-in, known by its auth_token cookie. Its ct0 is free (any value the
// cookie and the x-csrf-token header agree on) until the stand-in rotates it: from then on only the
// ct0 it handed out in Set-Cookie is accepted, as a logged-in x.com session's ct0 is bound to it.
public sealed class WebSession(SandboxAccount account)
{
    public SandboxAccount Account { get; } = account;
    public string? BoundCt0 { get; set; }
    public bool RotateOnNextAnswer { get; set; }
}

// What a test has asked the stand-in to do to an account's web path next.
public sealed class WebAccountControls
{
    public bool Locked { get; set; }
    public bool LoseNextCreateTweetAnswer { get; set; }
    public bool RateLimitNextCall { get; set; }
}

public enum StaleQueryAnswer
{
    // HTTP 404 with an empty body: what x.com mostly answers an outdated query id with.
    NotFound,
    // HTTP 200 with errors[{"message": "Query: Unspecified", ...}]: the other answer clients report.
    QueryUnspecified,
}

public sealed class SandboxWebState(SandboxState state)
{
    private readonly ConcurrentDictionary<string, WebSession> _sessions = new(
        state.Everyone.Select(a => KeyValuePair.Create(a.WebAuthToken, new WebSession(a))));
    private readonly ConcurrentDictionary<string, WebAccountControls> _controls = new();
    private readonly ConcurrentDictionary<string, string> _queryIds = new(SandboxWebContract.DefaultQueryIds);

    public StaleQueryAnswer StaleQueryAnswer { get; set; } = StaleQueryAnswer.NotFound;

    private long _calls;

    // Every request that reached the web path, answered or refused: what a test counts to prove nothing was sent.
    public long Calls => Interlocked.Read(ref _calls);

    public void CountCall() => Interlocked.Increment(ref _calls);

    public string? BoundCt0(SandboxAccount account) => _sessions.Values.FirstOrDefault(s => s.Account.Id == account.Id && s.BoundCt0 is not null)?.BoundCt0;

    public WebSession? Session(string? authToken) =>
        authToken is { Length: > 0 } && _sessions.TryGetValue(authToken, out var session) ? session : null;

    public WebAccountControls Controls(SandboxAccount account) => _controls.GetOrAdd(account.Id, _ => new WebAccountControls());

    public string QueryId(string operation) => _queryIds[operation];

    public bool IsKnownOperation(string operation) => _queryIds.ContainsKey(operation);

    // As x.com ships a new bundle: the new id serves, the old one is outdated from now on.
    public void SetQueryId(string operation, string queryId) => _queryIds[operation] = queryId;

    // Every session of the account ends, as "log out of all sessions" does on x.com.
    public void LogOut(SandboxAccount account)
    {
        foreach (var (token, session) in _sessions)
        {
            if (session.Account.Id == account.Id)
            {
                _sessions.TryRemove(token, out _);
            }
        }
    }

    public string LogIn(SandboxAccount account)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        _sessions[token] = new WebSession(account);
        return token;
    }

    public void RotateCt0OnNextAnswer(SandboxAccount account)
    {
        foreach (var session in _sessions.Values.Where(s => s.Account.Id == account.Id))
        {
            session.RotateOnNextAnswer = true;
        }
    }

    // A logged-in x.com ct0 is 160 hex characters (a logged-out one 32).
    public static string NewCt0() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(80));
}
