using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Agents;

public sealed class ApiAuthLimitOptions
{
    // API requests answered 401 (no token, an unknown or revoked one) from one IP before that IP is answered 429.
    [ConfigurationKeyName("API_AUTH_FAILURES_PER_IP"), Range(1, 100_000)]
    public int FailuresPerIp { get; set; } = 30;

    [ConfigurationKeyName("API_AUTH_FAILURE_WINDOW_MINUTES"), Range(1, 1440)]
    public int WindowMinutes { get; set; } = 15;
}

// Counts the agent API's 401s per client IP; once an IP has used up its failures, its API requests are answered 429
// until the window ends, before any token is looked up. In memory, per node.
public sealed class ApiAuthThrottle(IOptions<ApiAuthLimitOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailuresPerIp,
            Window = TimeSpan.FromMinutes(options.Value.WindowMinutes),
            QueueLimit = 0,
        }));

    public static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public TimeSpan? WaitBeforeTrying(string ip)
    {
        using var lease = _failures.AttemptAcquire(ip, 0);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void RecordFailure(string ip)
    {
        using var _ = _failures.AttemptAcquire(ip);
    }

    public void Dispose() => _failures.Dispose();
}
