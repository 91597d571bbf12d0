using Microsoft.AspNetCore.DataProtection;

namespace Sosyabot.Web.Data;

// Encrypts secrets before they reach a column. The purpose is fixed so that ciphertext written by one
// node (or before a restart) is readable by every other node sharing the key ring in the database;
// the prefix makes a protected value recognisable in a dump.
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    public const string Prefix = "P|";
    private const string Purpose = "Sosyabot.Secrets.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string plaintext) => Prefix + _protector.Protect(plaintext);

    public string Unprotect(string stored) =>
        stored.StartsWith(Prefix, StringComparison.Ordinal)
            ? _protector.Unprotect(stored[Prefix.Length..])
            : throw new InvalidOperationException("A secret column holds a value that was not protected.");
}
