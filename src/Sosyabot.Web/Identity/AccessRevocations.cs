namespace Sosyabot.Web.Identity;

// This node's count of committed changes that can take access away: an API token revoked, a member removed from a
// workspace or given another role, an account disabled. What caches access (Agents/ApiTokenCache) drops what it read
// before the count moved, so such a change made on this node holds from the next request; other nodes see it once
// their cached reads lapse.
public sealed class AccessRevocations
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    // Called after the change has committed: a read made before then must not be reused.
    public void Record() => Interlocked.Increment(ref _count);
}
