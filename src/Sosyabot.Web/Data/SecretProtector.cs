using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Sosyabot.Web.Data;

// What a protected value is and whose: the kind of secret, the workspace it belongs to (Guid.Empty for the instance's
// own) and the row that holds it. Each one is its own DataProtection purpose, so a ciphertext copied into another row
// or another column fails to decrypt there instead of handing one channel's credentials to another.
public readonly record struct SecretPurpose(string Kind, Guid WorkspaceId, string RowId)
{
    public static SecretPurpose Instance(string kind, string rowId) => new(kind, Guid.Empty, rowId);

    public static SecretPurpose Channel(string kind, Guid workspaceId, Guid channelId) => new(kind, workspaceId, channelId.ToString("D"));
}

public static class SecretKinds
{
    public const string ChannelAccessToken = "channel.access_token";
    public const string ChannelRefreshToken = "channel.refresh_token";
    public const string ChannelSessionAuthToken = "channel.session_auth_token";
    public const string ChannelSessionCt0 = "channel.session_ct0";
    public const string ChannelApiKeys = "channel.api_keys";
    public const string XClientSecret = "options.x_client_secret";
}

// Encrypts secrets before they reach a column. The key ring is shared by every node through the database (wrapped
// with the KEK), so any node reads what another wrote; the prefix makes a protected value and its format recognisable.
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    public const string Prefix = "P2|";

    // The previous release's format: one purpose for every column. Only the start-up upgrade reads it (KeyRingUpgrade),
    // to write each value again under its own purpose; everywhere else it is refused, since it could be swapped freely.
    public const string LegacyPrefix = "P|";
    internal const string LegacyPurpose = "Sosyabot.Secrets.v1";

    private const string Purpose = "Sosyabot.Secrets.v2";

    private readonly IDataProtector _root = provider.CreateProtector(Purpose);

    public string Protect(SecretPurpose purpose, string plaintext) => Prefix + For(purpose).Protect(plaintext);

    // Throws CryptographicException when the value was not written for this purpose (another row's, another column's)
    // or the key that wrote it is gone.
    public string Unprotect(SecretPurpose purpose, string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal)
            ? For(purpose).Unprotect(stored[Prefix.Length..])
            : throw new CryptographicException(stored.StartsWith(LegacyPrefix, StringComparison.Ordinal)
                ? "A secret column still holds the previous release's format; the start-up upgrade did not rewrite it."
                : "A secret column holds a value that was not protected.");

    internal string UnprotectLegacy(string stored) =>
        stored.StartsWith(LegacyPrefix, StringComparison.Ordinal) && !stored.StartsWith(Prefix, StringComparison.Ordinal)
            ? provider.CreateProtector(LegacyPurpose).Unprotect(stored[LegacyPrefix.Length..])
            : throw new CryptographicException("Not a value in the previous release's format.");

    private IDataProtector For(SecretPurpose purpose) =>
        _root.CreateProtector([purpose.Kind, purpose.WorkspaceId.ToString("D"), purpose.RowId]);
}
