using System.Collections.Concurrent;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Agents;

// A valid token as the database had it: the token, and its creator's role in the workspace at that moment.
public sealed record ResolvedApiToken(
    Guid Id, Guid WorkspaceId, string CreatedByUserId, IReadOnlyList<string> Scopes, WorkspaceRole CreatorRole, DateTimeOffset? LastUsedAt);

// What a token's hash resolved to, reused for a few seconds so that an agent's calls do not each read the token and its
// creator again (at publish-now rates, that read was a third of the app's work per request). The price is a bounded
// delay: a token revoked, or its creator removed, given another role or disabled, on another node of the instance
// still works here for at most Lifetime. A change made on this node holds at once (AccessRevocations). Only valid
// tokens are kept: an unknown one is read every time, and throttled (ApiAuthThrottle).
public sealed class ApiTokenCache(TimeProvider time, AccessRevocations revocations)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    // Tokens in use at once on one instance are far fewer; past this the cache starts again rather than grow.
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(ResolvedApiToken Token, long RevocationsWhenRead, DateTimeOffset Until);

    // What to pass to Keep: taken before the database is read.
    public ReadStamp BeginRead() => new(revocations.Count, time.GetUtcNow());

    public readonly record struct ReadStamp(long Revocations, DateTimeOffset At);

    public ResolvedApiToken? Find(string hash) =>
        _entries.TryGetValue(hash, out var entry) && entry.RevocationsWhenRead == revocations.Count && time.GetUtcNow() < entry.Until
            ? entry.Token
            : null;

    // A read that a revocation on this node has overtaken since stamp is kept but never found.
    public void Keep(string hash, ResolvedApiToken token, ReadStamp stamp)
    {
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
        _entries[hash] = new Entry(token, stamp.Revocations, stamp.At + Lifetime);
    }

    // The token's last use was written: the calls that find it here need not write it again.
    public void Used(string hash, DateTimeOffset at)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            _entries.TryUpdate(hash, entry with { Token = entry.Token with { LastUsedAt = at } }, entry);
        }
    }
}
