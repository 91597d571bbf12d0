using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Sosyabot.XSandbox;

/// <summary>A sandbox account, with its browser session token and its access token pair for the sandbox's developer app.</summary>
public sealed record SandboxAccount(string Id, string Username, string Name, string WebAuthToken)
{
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

public sealed record SandboxPost(
    string Id, SandboxAccount Account, string Text, DateTimeOffset CreatedAt, IReadOnlyList<string> MediaIds,
    string? InReplyToId = null, string? QuoteOfId = null);

public sealed record SandboxMessage(string Id, string ConversationId, SandboxAccount Sender, string RecipientId, string Text, DateTimeOffset CreatedAt);

public sealed class SandboxMedia(string mediaType, long totalBytes)
{
    public string MediaType { get; } = mediaType;
    public long TotalBytes { get; } = totalBytes;
    public ConcurrentDictionary<int, long> Segments { get; } = new();
    public bool Finalized { get; set; }
    public string? AltText { get; set; }
}

/// <summary>Everything the stand-in remembers; in memory, as befits a stand-in.</summary>
public sealed class SandboxState
{
    public static readonly SandboxAccount[] Accounts =
    [
        new("1000000000000000001", "sandbox_alice", "Alice Sandbox", "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"),
        new("1000000000000000002", "sandbox_bob", "Bob Sandbox", "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"),
        new("1000000000000000003", "sandbox_carol", "Carol Sandbox", "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3"),
    ];

    public ConcurrentDictionary<string, AuthorizationCode> Codes { get; } = new();
    public ConcurrentDictionary<string, AccessToken> AccessTokens { get; } = new();
    public ConcurrentDictionary<string, Grant> RefreshTokens { get; } = new();
    public ConcurrentQueue<SandboxPost> Posts { get; } = new();
    public ConcurrentDictionary<string, SandboxMedia> Media { get; } = new();
    public ConcurrentDictionary<string, RateWindow> RateWindows { get; } = new();
    public ConcurrentDictionary<string, byte> SeenNonces { get; } = new();
    /// <summary>Likes, retweets and bookmarks, as "relation:userId:tweetId".</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Relations { get; } = new();
    public ConcurrentQueue<SandboxMessage> Messages { get; } = new();

    private long _lastPostId = 1_800_000_000_000_000_000;

    public string NextPostId() => Interlocked.Increment(ref _lastPostId).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string NewSecret() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
}

/// <summary>A fixed-window budget, the way X counts: a limit, what is left, and when the window resets.</summary>
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
