namespace Sosyabot.Web.Identity;

public static class TwoFactorCodes
{
    public const int RecoveryCodeCount = 10;

    // Apps show codes as "123 456" or "123-456".
    public static string Normalize(string code) => string.Concat(code.Where(c => !char.IsWhiteSpace(c) && c != '-'));

    // Recovery codes keep their dash (Identity stores them as "xxxxx-xxxxx"); pasted ones often carry stray spaces.
    public static string NormalizeRecoveryCode(string code) => string.Concat(code.Where(c => !char.IsWhiteSpace(c)));
}
