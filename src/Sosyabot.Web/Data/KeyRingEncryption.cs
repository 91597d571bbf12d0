using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Data;

// The key-encryption key (KEK) that wraps every DataProtection key before it is written to the database, so a dump
// of the database alone holds only ciphertext. It comes from the environment and never touches the database.
public sealed class KeyRingOptions
{
    public const string KeySetting = "DATA_PROTECTION_KEY";
    public const string PreviousKeysSetting = "DATA_PROTECTION_PREVIOUS_KEYS";

    // 32 random bytes, base64 (`openssl rand -base64 32`). Every node of an instance must have the same one.
    [ConfigurationKeyName(KeySetting)]
    public string? Key { get; set; }

    // Keys this instance used before (base64, comma-separated): read only, to unwrap what they wrapped until every key
    // in the database has been wrapped again with Key at the next start.
    [ConfigurationKeyName(PreviousKeysSetting)]
    public string? PreviousKeys { get; set; }

    public KeyEncryptionKey Current => KeyEncryptionKey.Parse(Key ?? throw new InvalidOperationException($"{KeySetting} is not set."));

    public IEnumerable<KeyEncryptionKey> Previous =>
        (PreviousKeys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(KeyEncryptionKey.Parse);

    public KeyEncryptionKey? Find(string id) => new[] { Current }.Concat(Previous).FirstOrDefault(k => k.Id == id);
}

public sealed class KeyEncryptionKey
{
    private const int Size = 32;

    private KeyEncryptionKey(byte[] bytes)
    {
        Bytes = bytes;
        // An identifier that names the key without revealing it, so a wrapped key says which KEK unwraps it.
        Id = Convert.ToHexStringLower(HMACSHA256.HashData(bytes, "Sosyabot key-encryption key id"u8))[..16];
    }

    public string Id { get; }

    internal byte[] Bytes { get; }

    public static bool TryParse(string? value, out KeyEncryptionKey? key)
    {
        key = null;
        var buffer = new byte[Size + 1];
        if (string.IsNullOrWhiteSpace(value) || !Convert.TryFromBase64String(value.Trim(), buffer, out var written) || written != Size)
        {
            return false;
        }
        key = new KeyEncryptionKey(buffer[..Size]);
        return true;
    }

    public static KeyEncryptionKey Parse(string value) =>
        TryParse(value, out var key) ? key! : throw new FormatException("A key-encryption key is not 32 bytes of base64.");

    public override string ToString() => $"KeyEncryptionKey {{ Id = {Id} }}";
}

internal sealed class KeyRingOptionsValidation : IValidateOptions<KeyRingOptions>
{
    public ValidateOptionsResult Validate(string? name, KeyRingOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Key))
        {
            return ValidateOptionsResult.Fail(
                $"{KeyRingOptions.KeySetting} is not set. It encrypts the key ring kept in the database, so a copy of the database alone " +
                "decrypts nothing. Generate one with `openssl rand -base64 32`, give the same value to every node and keep a copy " +
                "with your backups (without it the stored secrets cannot be read). './service.sh start' generates one into .env.");
        }
        if (!KeyEncryptionKey.TryParse(options.Key, out _))
        {
            return ValidateOptionsResult.Fail(
                $"{KeyRingOptions.KeySetting} must be 32 random bytes in base64 (44 characters, `openssl rand -base64 32`).");
        }
        var previous = (options.PreviousKeys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return previous.All(p => KeyEncryptionKey.TryParse(p, out _))
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{KeyRingOptions.PreviousKeysSetting} must be a comma-separated list of 32-byte base64 keys.");
    }
}

// Wraps a DataProtection key with AES-256-GCM under the KEK (authenticated: a key row altered in the database fails to
// unwrap instead of yielding a key of the attacker's choosing).
public sealed class KeyRingXmlEncryptor(IOptions<KeyRingOptions> options) : IXmlEncryptor
{
    internal static readonly XNamespace Namespace = "https://sosyabot.dev/data-protection/kek";
    internal static readonly XName Root = Namespace + "wrappedKey";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var kek = options.Value.Current;
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(kek.Bytes, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(kek.Id));
        }
        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(Root,
            new XComment(" Wrapped with the key-encryption key DATA_PROTECTION_KEY (AES-256-GCM); the database alone cannot unwrap it. "),
            new XAttribute("kek", kek.Id),
            new XElement(Namespace + "nonce", Convert.ToBase64String(nonce)),
            new XElement(Namespace + "tag", Convert.ToBase64String(tag)),
            new XElement(Namespace + "value", Convert.ToBase64String(ciphertext)));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }

    internal static byte[] AssociatedData(string kekId) => Encoding.UTF8.GetBytes("Sosyabot.KeyRing.v1|" + kekId);
}

// DataProtection creates the decryptor itself, by the type name stored in the key's XML, passing its service provider.
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var options = services.GetRequiredService<IOptions<KeyRingOptions>>().Value;
        var kekId = (string?)encryptedElement.Attribute("kek") ?? throw new CryptographicException("The wrapped key names no key-encryption key.");
        var kek = options.Find(kekId) ?? throw new CryptographicException(
            $"A DataProtection key in the database was wrapped with key-encryption key {kekId}, which this node does not have. Set " +
            $"{KeyRingOptions.KeySetting} to the value the other nodes use (or name the old one in {KeyRingOptions.PreviousKeysSetting}).");
        var nonce = Convert.FromBase64String(Value(encryptedElement, "nonce"));
        var tag = Convert.FromBase64String(Value(encryptedElement, "tag"));
        var ciphertext = Convert.FromBase64String(Value(encryptedElement, "value"));
        var plaintext = new byte[ciphertext.Length];
        using (var aes = new AesGcm(kek.Bytes, tag.Length))
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, KeyRingXmlEncryptor.AssociatedData(kek.Id));
        }
        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static string Value(XElement element, string name) =>
        (string?)element.Element(KeyRingXmlEncryptor.Namespace + name) ?? throw new CryptographicException($"The wrapped key has no {name}.");
}
