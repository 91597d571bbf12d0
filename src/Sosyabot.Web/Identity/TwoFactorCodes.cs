namespace Sosyabot.Web.Identity;

public static class TwoFactorCodes
{
    public const int RecoveryCodeCount = 10;

    // Apps show codes as "123 456" and people paste recovery codes with stray spaces or dashes.
    public static string Normalize(string code) => string.Concat(code.Where(c => !char.IsWhiteSpace(c) && c != '-'));
}
