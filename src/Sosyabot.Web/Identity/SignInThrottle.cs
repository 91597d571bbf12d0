using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// Counts failed sign-ins per client IP and per IP + account. Nothing is ever counted against an account as a whole
// (no lockout that an attacker could trigger for someone else).
public sealed class SignInThrottle : IDisposable
{
    private readonly FailureCounter _perIp;
    private readonly FailureCounter _perAccount;

    public SignInThrottle(IOptions<SignInLimitOptions> options)
    {
        var limits = options.Value;
        _perIp = new FailureCounter(limits.FailuresPerIp, limits.FailureWindow);
        _perAccount = new FailureCounter(limits.FailuresPerAccount, limits.FailureWindow);
    }

    // How long this IP must wait before trying this account again; null when it may try now.
    public TimeSpan? WaitBeforeTrying(string ip, string email) =>
        _perIp.WaitBeforeTrying(ip) ?? _perAccount.WaitBeforeTrying(AccountKey(ip, email));

    public void RecordFailure(string ip, string email)
    {
        _perIp.RecordFailure(ip);
        _perAccount.RecordFailure(AccountKey(ip, email));
    }

    public void Dispose()
    {
        _perIp.Dispose();
        _perAccount.Dispose();
    }

    private static string AccountKey(string ip, string email) => ip + "|" + email.Trim().ToUpperInvariant();
}
