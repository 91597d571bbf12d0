using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Sosyabot.XSandbox;

// A sandbox account, with its browser session token and its access token pair for the sandbox's developer app.
// SubscriptionType is what X's users/me says with user.fields=subscription_type; a subscriber may post long posts.
public sealed record SandboxAccount(string Id, string Username, string Name, string WebAuthToken, string SubscriptionType = "None")
{
    public bool MayPostLong => SubscriptionType is "Basic" or "Premium" or "PremiumPlus";

    public string AccessToken => $"{Id}-SandboxAccessToken{Username.Replace("_", "", StringComparison.Ordinal)}";
    public string AccessTokenSecret => $"SandboxAccessSecret{Username.Replace("_", "", StringComparison.Ordinal)}0000000000";
}

public sealed record AuthorizationCode(
    string ClientId, string RedirectUri, string CodeChallenge, string Scope, SandboxAccount Account, DateTimeOffset IssuedAt);

public sealed class Grant(SandboxAccount account, string scope)
{
    public SandboxAccount Account { get; } = account;
    public string Scope { get; } = scope;
    public bool Revoked { get; set; }
    public string? CurrentRefreshToken { get; set; }
}

public sealed record AccessToken(Grant Grant, DateTimeOffset ExpiresAt);

// A post: Text as it was sent (what X's duplicate check compares), Rendered as X serves it.
public sealed record SandboxPost(
    string Id, SandboxAccount Account, string Text, RenderedText Rendered, DateTimeOffset CreatedAt, IReadOnlyList<string> MediaIds,
    string? InReplyToId = null, string? QuoteOfId = null)
{
    // Over the standard 280: X serves the full text in note_tweet and a shortened one in text.
    public bool IsLong { get; init; }
}

public sealed record SandboxMessage(string Id, string ConversationId, SandboxAccount Sender, string RecipientId, string Text, DateTimeOffset CreatedAt);

public sealed class SandboxMedia(string mediaType, long totalBytes, string category)
{
    public string MediaType { get; } = mediaType;
    public long TotalBytes { get; } = totalBytes;
    public string Category { get; } = category;
    public ConcurrentDictionary<int, long> Segments { get; } = new();
    // The first bytes of segment 0: what processing looks at to tell a video from something else.
    public byte[] Head { get; set; } = [];
    public bool Finalized { get; set; }
    public string? AltText { get; set; }
    // GIFs and videos are processed after finalize: pending, in_progress, then succeeded or failed. Images are ready at once.
    public string? ProcessingState { get; set; }
    public int StatusPolls { get; set; }
    public DateTimeOffset CheckAfter { get; set; }
    public string? ProcessingError { get; set; }

    public bool Usable => Finalized && ProcessingState is null or "succeeded";
}

// Everything the stand-in remembers; in memory, as befits a stand-in.
public sealed class SandboxState(IConfiguration configuration)
{
    public static readonly SandboxAccount[] Accounts =
    [
        new("1000000000000000001", "sandbox_alice", "Alice Sandbox", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"),
        new("1000000000000000002", "sandbox_bob", "Bob Sandbox", "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"),
        new("1000000000000000003", "sandbox_carol", "Carol Sandbox", "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3", "Premium"),
    ];

    // The demo accounts, then SANDBOX_EXTRA_ACCOUNTS more (sandbox_load01, ...) for load drills and the benchmark.
    public IReadOnlyList<SandboxAccount> Everyone { get; } =
    [
        .. Accounts,
        .. Enumerable.Range(1, configuration.GetValue("SANDBOX_EXTRA_ACCOUNTS", 0)).Select(i => new SandboxAccount(
            (2_000_000_000_000_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), $"sandbox_load{i:00}", $"Load Account {i:00}",
            Convert.ToHexStringLower(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.ASCII.GetBytes($"load{i}"))))),
    ];

    // How many STATUS polls (each no sooner than check_after_secs after the last) a GIF or video needs before
    // its processing succeeds.
    public int MediaProcessingPolls { get; } = Math.Max(1, configuration.GetValue("SANDBOX_MEDIA_PROCESSING_POLLS", 2));

    // The check_after_secs the stand-in asks for while it processes.
    public int MediaCheckAfterSeconds { get; } = Math.Max(1, configuration.GetValue("SANDBOX_MEDIA_CHECK_AFTER_SECS", 1));

    // How long POST /2/tweets takes, to widen the window in which a crash drill can kill a node mid-request.
    public TimeSpan PostLatency { get; } = TimeSpan.FromMilliseconds(configuration.GetValue("SANDBOX_POST_LATENCY_MS", 0));

    private long _duplicateRefusals;
    private long _rateLimitRefusals;

    public long DuplicateRefusals => Interlocked.Read(ref _duplicateRefusals);
    public long RateLimitRefusals => Interlocked.Read(ref _rateLimitRefusals);
    public void CountDuplicateRefusal() => Interlocked.Increment(ref _duplicateRefusals);
    public void CountRateLimitRefusal() => Interlocked.Increment(ref _rateLimitRefusals);

    private long _mediaNotReadyRefusals;

    // Posts refused because a media id was still being processed: a client that waits as X asks never meets one.
    public long MediaNotReadyRefusals => Interlocked.Read(ref _mediaNotReadyRefusals);
    public void CountMediaNotReadyRefusal() => Interlocked.Increment(ref _mediaNotReadyRefusals);

    public ConcurrentDictionary<string, AuthorizationCode> Codes { get; } = new();
    public ConcurrentDictionary<string, AccessToken> AccessTokens { get; } = new();
    public ConcurrentDictionary<string, Grant> RefreshTokens { get; } = new();
    private readonly ConcurrentQueue<SandboxPost> _posts = new();
    private readonly ConcurrentDictionary<string, byte> _deletedPostIds = new();

    // The posts on the stand-in, oldest first; deleted ones are gone from everything it serves.
    public IEnumerable<SandboxPost> Posts => _posts.Where(p => !_deletedPostIds.ContainsKey(p.Id));

    public int PostCount => _posts.Count - _deletedPostIds.Count;

    public void AddPost(SandboxPost post) => _posts.Enqueue(post);

    public bool TryDeletePost(SandboxPost post) => _deletedPostIds.TryAdd(post.Id, 0);

    public ConcurrentDictionary<string, SandboxMedia> Media { get; } = new();
    public ConcurrentDictionary<string, RateWindow> RateWindows { get; } = new();
    public ConcurrentDictionary<string, byte> SeenNonces { get; } = new();
    // Likes, retweets and bookmarks, as "relation:userId:tweetId".
    public ConcurrentDictionary<string, DateTimeOffset> Relations { get; } = new();
    public ConcurrentQueue<SandboxMessage> Messages { get; } = new();

    private long _lastPostId = 1_800_000_000_000_000_000;

    public string NextPostId() => Interlocked.Increment(ref _lastPostId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}

// A fixed-window budget, the way X counts: a limit, what is left, and when the window resets.
public sealed class RateWindow(int limit, TimeSpan length)
{
    public int Limit { get; } = limit;
    public TimeSpan Length { get; } = length;
    public int Used { get; private set; }
    public DateTimeOffset ResetAt { get; private set; }

    public bool TryTake(DateTimeOffset now)
    {
        lock (this)
        {
            if (now >= ResetAt)
            {
                Used = 0;
                ResetAt = now + Length;
            }
            if (Used >= Limit)
            {
                return false;
            }
            Used++;
            return true;
        }
    }

    public int Remaining => Math.Max(0, Limit - Used);
}
