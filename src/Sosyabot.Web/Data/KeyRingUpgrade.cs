using System.Security.Cryptography;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sosyabot.Web.Data;

// A feature's secret columns, rewritten from the previous release's single-purpose format ("P|") to their per-row
// purposes. Channels and X implement it; Data knows only that there are such columns.
public interface ILegacySecretColumns
{
    // Rewrites every legacy value it owns with rewrite (null: unreadable, left as it is) and saves; returns how many it rewrote.
    Task<int> RewriteAsync(SosyabotDbContext db, Func<SecretPurpose, string, string?> rewrite, CancellationToken cancellationToken);
}

// Runs once per start, before the app serves anything: brings a key ring written by an earlier release under the KEK.
// - a key wrapped with a previous KEK (DATA_PROTECTION_PREVIOUS_KEYS) is wrapped again with the current one;
// - plaintext keys (the previous release wrote them so) are retired: a new wrapped key becomes the default, every
//   legacy secret is decrypted with the old key and written again under its per-row purpose, then the plaintext keys
//   are deleted, so a database dump no longer holds a key that opens anything. Sign-in cookies die with them.
// Two nodes starting together take turns on a PostgreSQL advisory lock; whoever comes second finds nothing to do.
public sealed partial class KeyRingUpgrade(
    IServiceScopeFactory scopes,
    IKeyManager keyManager,
    IOptions<KeyRingOptions> options,
    IServiceProvider services,
    TimeProvider time,
    ILogger<KeyRingUpgrade> logger) : IHostedLifecycleService
{
    // An arbitrary constant of our own ("SosyKR"), the lock's name among the database's advisory locks.
    private const long LockId = 0x536F_7379_4B52;

    private static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(90);

    public Task StartingAsync(CancellationToken cancellationToken) => RunAsync(cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            if (!await SchemaReadyAsync(db, cancellationToken))
            {
                LogNotMigrated(logger);
                return;
            }
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_lock({LockId})", cancellationToken);
            try
            {
                await UpgradeAsync(db, scope.ServiceProvider, cancellationToken);
            }
            finally
            {
                // The connection goes back to Npgsql's pool still open: a session lock would outlive this scope.
                await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_unlock({LockId})", CancellationToken.None);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private async Task UpgradeAsync(SosyabotDbContext db, IServiceProvider scoped, CancellationToken cancellationToken)
    {
        var rows = await db.DataProtectionKeys.ToListAsync(cancellationToken);
        var current = options.Value.Current;
        var plaintextKeyIds = new List<Guid>();
        var plaintextRows = new List<int>();
        var now = time.GetUtcNow();
        var hasUsableWrappedKey = false;
        foreach (var row in rows)
        {
            if (row.Xml is null || XElement.Parse(row.Xml) is not { Name.LocalName: "key" } key)
            {
                continue;
            }
            var wrapped = key.Descendants(KeyRingXmlEncryptor.Root).SingleOrDefault();
            if (wrapped is null && !key.Descendants("encryptedSecret").Any())
            {
                plaintextKeyIds.Add((Guid)key.Attribute("id")!);
                plaintextRows.Add(row.Id);
                continue;
            }
            if (wrapped is not null && (string?)wrapped.Attribute("kek") != current.Id)
            {
                if (Rewrap(wrapped) is { } rewrapped)
                {
                    wrapped.ReplaceWith(rewrapped);
                    row.Xml = key.ToString(SaveOptions.DisableFormatting);
                }
            }
            // Only a key this node can unwrap may replace the plaintext ones: retiring them for a key wrapped under some
            // other KEK would lose every secret.
            hasUsableWrappedKey |= wrapped is not null && options.Value.Find((string?)wrapped.Attribute("kek") ?? "") is not null
                && (DateTimeOffset?)key.Element("activationDate") <= now && (DateTimeOffset?)key.Element("expirationDate") > now.AddDays(2);
        }
        var rewrappedCount = db.ChangeTracker.Entries().Count(e => e.State == EntityState.Modified);
        await db.SaveChangesAsync(cancellationToken);
        if (rewrappedCount > 0)
        {
            LogRewrapped(logger, rewrappedCount, current.Id);
        }

        if (plaintextKeyIds.Count > 0 && !hasUsableWrappedKey)
        {
            // Activated now, so it is the newest active key and the default from here on: the secrets rewritten below use it.
            keyManager.CreateNewKey(now, now + KeyLifetime);
        }

        var protector = scoped.GetRequiredService<SecretProtector>();
        var unreadable = 0;
        string? Rewrite(SecretPurpose purpose, string stored)
        {
            string plaintext;
            try
            {
                plaintext = protector.UnprotectLegacy(stored);
            }
            catch (CryptographicException)
            {
                // Its key is gone already: deleting the plaintext keys loses nothing more; the value asks to be entered again.
                unreadable++;
                return null;
            }
            // Not caught: a value that cannot be written under the new key stops the upgrade before any key is deleted.
            return protector.Protect(purpose, plaintext);
        }
        var rewritten = 0;
        foreach (var columns in scoped.GetServices<ILegacySecretColumns>())
        {
            rewritten += await columns.RewriteAsync(db, Rewrite, cancellationToken);
        }
        if (rewritten > 0 || unreadable > 0)
        {
            LogSecretsRewritten(logger, rewritten, unreadable);
        }

        if (plaintextKeyIds.Count > 0)
        {
            if (keyManager is IDeletableKeyManager { CanDeleteKeys: true } deletable)
            {
                // Through the key manager, so this node's cached key ring forgets them too.
                deletable.DeleteKeys(k => plaintextKeyIds.Contains(k.KeyId));
            }
            // Whatever the key manager could not delete goes by row.
            await db.DataProtectionKeys.Where(k => plaintextRows.Contains(k.Id)).ExecuteDeleteAsync(cancellationToken);
            // This node read the plaintext keys while rewriting the secrets, and its cached key ring would go on accepting
            // cookies made with them until the cache expires. Revoking is the key manager's one call that makes the cache
            // reload; the revocation rows it writes name keys that no longer exist, so they go too.
            foreach (var keyId in plaintextKeyIds)
            {
                keyManager.RevokeKey(keyId, "Retired by the upgrade to a wrapped key ring");
            }
            var revocations = plaintextKeyIds.Select(id => "revocation-" + id.ToString("D")).ToList();
            await db.DataProtectionKeys.Where(k => k.FriendlyName != null && revocations.Contains(k.FriendlyName)).ExecuteDeleteAsync(cancellationToken);
            LogPlaintextKeysRemoved(logger, plaintextKeyIds.Count);
        }
    }

    private XElement? Rewrap(XElement wrapped)
    {
        try
        {
            var plaintext = new KeyRingXmlDecryptor(services).Decrypt(wrapped);
            return new KeyRingXmlEncryptor(options).Encrypt(plaintext).EncryptedElement;
        }
        catch (CryptographicException ex)
        {
            LogRewrapFailed(logger, ex.Message);
            return null;
        }
    }

    private static async Task<bool> SchemaReadyAsync(SosyabotDbContext db, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var command = new NpgsqlCommand(
            "SELECT to_regclass('\"DataProtectionKeys\"') IS NOT NULL AND to_regclass('channels') IS NOT NULL", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning, "The database has no schema yet; the key ring upgrade waits for './service.sh migrate'")]
    private static partial void LogNotMigrated(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Wrapped {Count} DataProtection key(s) again with the current key-encryption key {KekId}")]
    private static partial void LogRewrapped(ILogger logger, int count, string kekId);

    [LoggerMessage(LogLevel.Warning, "A DataProtection key could not be wrapped again: {Reason}")]
    private static partial void LogRewrapFailed(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Information,
        "Rewrote {Count} secret(s) of the previous release under per-row purposes; {Unreadable} could not be decrypted and need re-entering")]
    private static partial void LogSecretsRewritten(ILogger logger, int count, int unreadable);

    [LoggerMessage(LogLevel.Warning,
        "Removed {Count} unencrypted DataProtection key(s) written by the previous release; everyone signed in before the upgrade must sign in again")]
    private static partial void LogPlaintextKeysRemoved(ILogger logger, int count);
}
