using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Identity;

// Counts failed sign-ins per client IP and per IP + account. Only failures spend permits, so a person who signs in
// correctly many times is never slowed, and nothing is ever counted against an account as a whole (no lockout that an
// attacker could trigger for someone else). In memory, per node: behind several nodes each keeps its own count.
public sealed class SignInThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perIp;
    private readonly PartitionedRateLimiter<string> _perAccount;

    public SignInThrottle(IOptions<SignInLimitOptions> options)
    {
        var limits = options.Value;
        _perIp = Limiter(limits.FailuresPerIp, limits.FailureWindow);
        _perAccount = Limiter(limits.FailuresPerAccount, limits.FailureWindow);
    }

    public static string ClientIp(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // How long this IP must wait before trying this account again; null when it may try now.
    public TimeSpan? WaitBeforeTrying(string ip, string email)
    {
        foreach (var (limiter, key) in Keys(ip, email))
        {
            // Zero permits asks without spending: a failed lease says the window is used up, and until when.
            using var lease = limiter.AttemptAcquire(key, 0);
            if (!lease.IsAcquired)
            {
                return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
            }
        }
        return null;
    }

    public void RecordFailure(string ip, string email)
    {
        foreach (var (limiter, key) in Keys(ip, email))
        {
            using var _ = limiter.AttemptAcquire(key);
        }
    }

    public void Dispose()
    {
        _perIp.Dispose();
        _perAccount.Dispose();
    }

    private (PartitionedRateLimiter<string> Limiter, string Key)[] Keys(string ip, string email) =>
        [(_perIp, ip), (_perAccount, ip + "|" + email.Trim().ToUpperInvariant())];

    private static PartitionedRateLimiter<string> Limiter(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        }));
}
