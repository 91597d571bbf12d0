namespace Sosyabot.Web.Identity;

// The sign-in events an operator reads (or a log alert watches). Never a password; a user id rather than an email,
// except for attempts on an account that does not exist, which have nothing else to name.
public static partial class SignInEvents
{
    [LoggerMessage(LogLevel.Information, "Sign-in succeeded for user {UserId} from {ClientIp}")]
    public static partial void Succeeded(ILogger logger, string userId, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Sign-in failed for user {UserId} from {ClientIp}: {Reason}")]
    public static partial void Failed(ILogger logger, string userId, string clientIp, string reason);

    [LoggerMessage(LogLevel.Warning, "Sign-in failed for an unknown account from {ClientIp}")]
    public static partial void UnknownAccount(ILogger logger, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Sign-in attempt on disabled user {UserId} from {ClientIp}")]
    public static partial void DisabledAccount(ILogger logger, string userId, string clientIp);

    [LoggerMessage(LogLevel.Warning, "Sign-in throttled for {ClientIp}: too many failures, retry after {RetryAfterSeconds} s")]
    public static partial void Throttled(ILogger logger, string clientIp, int retryAfterSeconds);

    [LoggerMessage(LogLevel.Warning, "Registration refused from {ClientIp}: {Reason}")]
    public static partial void RegistrationRefused(ILogger logger, string clientIp, string reason);

    [LoggerMessage(LogLevel.Warning, "Instance claimed with the setup link by user {UserId} from {ClientIp}")]
    public static partial void SetupClaimed(ILogger logger, string userId, string clientIp);

    [LoggerMessage(LogLevel.Warning, "A setup link that is not valid (used, or from a claimed instance) was presented from {ClientIp}")]
    public static partial void SetupRefused(ILogger logger, string clientIp);

    [LoggerMessage(LogLevel.Warning, "User {UserId} was disabled by instance admin {AdminId}")]
    public static partial void Disabled(ILogger logger, string userId, string adminId);

    [LoggerMessage(LogLevel.Information, "User {UserId} was enabled by instance admin {AdminId}")]
    public static partial void Enabled(ILogger logger, string userId, string adminId);
}
