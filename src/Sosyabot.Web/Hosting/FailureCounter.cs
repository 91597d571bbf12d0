using System.Threading.RateLimiting;

namespace Sosyabot.Web.Hosting;

// Counts failures per key in a fixed window; only failures spend permits, so someone who keeps succeeding is never
// slowed. In memory, per node: behind several nodes each keeps its own count. Sign-in and the agent API's
// authentication both throttle with it.
public sealed class FailureCounter(int failuresAllowed, TimeSpan window) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = failuresAllowed,
            Window = window,
            QueueLimit = 0,
        }));

    // The address a request came from, after the forwarded headers of trusted proxies were applied.
    public static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // How long this key must wait before trying again; null when it may try now.
    public TimeSpan? WaitBeforeTrying(string key)
    {
        // Zero permits asks without spending: a failed lease says the window is used up, and until when.
        using var lease = _limiter.AttemptAcquire(key, 0);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void RecordFailure(string key)
    {
        using var _ = _limiter.AttemptAcquire(key);
    }

    public void Dispose() => _limiter.Dispose();
}
