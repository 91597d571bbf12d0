namespace Sosyabot.Web.Identity;

// What happened to an account's security, for the instance's log. Users are named by id; tokens, codes, links and
// passwords are never written here.
public sealed partial class AccountEvents(ILogger<AccountEvents> logger)
{
    public void PasswordChanged(string userId) => LogPasswordChanged(logger, userId);

    public void ResetRequested(string? userId)
    {
        if (userId is null)
        {
            LogResetRequestedUnknown(logger);
        }
        else
        {
            LogResetRequested(logger, userId);
        }
    }

    public void ResetLinkIssued(string adminId, string userId) => LogResetLinkIssued(logger, adminId, userId);

    public void ResetCompleted(string userId) => LogResetCompleted(logger, userId);

    public void SignedOutEverywhere(string userId) => LogSignedOutEverywhere(logger, userId);

    public void TwoFactorEnabled(string userId) => LogTwoFactorEnabled(logger, userId);

    public void TwoFactorDisabled(string userId) => LogTwoFactorDisabled(logger, userId);

    public void RecoveryCodesRenewed(string userId) => LogRecoveryCodesRenewed(logger, userId);

    public void RecoveryCodeUsed(string userId, int left) => LogRecoveryCodeUsed(logger, userId, left);

    [LoggerMessage(LogLevel.Information, "User {UserId} changed their password; their other sessions were signed out")]
    private static partial void LogPasswordChanged(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "Password reset requested for user {UserId}; a link was sent by mail")]
    private static partial void LogResetRequested(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "Password reset requested for an address with no account; no mail sent")]
    private static partial void LogResetRequestedUnknown(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Admin {AdminId} issued a password reset link for user {UserId}")]
    private static partial void LogResetLinkIssued(ILogger logger, string adminId, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} reset their password; every session was signed out")]
    private static partial void LogResetCompleted(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} signed out everywhere")]
    private static partial void LogSignedOutEverywhere(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} turned on two-factor authentication")]
    private static partial void LogTwoFactorEnabled(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} turned off two-factor authentication")]
    private static partial void LogTwoFactorDisabled(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} generated new recovery codes")]
    private static partial void LogRecoveryCodesRenewed(ILogger logger, string userId);

    [LoggerMessage(LogLevel.Information, "User {UserId} signed in with a recovery code; {Left} left")]
    private static partial void LogRecoveryCodeUsed(ILogger logger, string userId, int left);
}
