using System.ComponentModel.DataAnnotations;

namespace Sosyabot.Web.Identity;

// How hard sign-in and registration push back. Failures are counted per client IP and per IP + account, never per
// account alone: an attacker failing a victim's password from elsewhere must not lock the victim out.
public sealed class SignInLimitOptions
{
    // Wrong passwords for one account from one IP before that IP is told to wait (for that account only).
    [ConfigurationKeyName("SIGNIN_FAILURES_PER_ACCOUNT"), Range(1, 1000)]
    public int FailuresPerAccount { get; set; } = 5;

    // Failed sign-ins from one IP, whatever the account, before that IP is told to wait.
    [ConfigurationKeyName("SIGNIN_FAILURES_PER_IP"), Range(1, 10_000)]
    public int FailuresPerIp { get; set; } = 30;

    // The window both failure counts are kept for.
    [ConfigurationKeyName("SIGNIN_FAILURE_WINDOW_MINUTES"), Range(1, 1440)]
    public int FailureWindowMinutes { get; set; } = 15;

    // Sign-in form posts per IP and minute, whatever their outcome: a ceiling for scripts.
    [ConfigurationKeyName("SIGNIN_REQUESTS_PER_MINUTE"), Range(1, 10_000)]
    public int RequestsPerMinute { get; set; } = 60;

    // Registration form posts per IP and hour.
    [ConfigurationKeyName("REGISTRATIONS_PER_HOUR"), Range(1, 10_000)]
    public int RegistrationsPerHour { get; set; } = 30;

    public TimeSpan FailureWindow => TimeSpan.FromMinutes(FailureWindowMinutes);
}
