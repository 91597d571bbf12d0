using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.X;

public static class OptionKeys
{
    public const string XClientId = "x-twitter_client-id";
    public const string XClientSecret = "x-twitter_client-secret";
    public const string XIntegrationStatus = "x-twitter_integration_status";
    public const string XLongLivedConnections = "x-twitter_long_lived_connections";

    public const string StatusEnabled = "enabled";
    public const string StatusDisabled = "disabled";
}

public enum SettingSource
{
    None,
    Environment,
    AdminPanel,
    Default,
}

public sealed record ResolvedSetting(string? Value, SettingSource Source)
{
    public static readonly ResolvedSetting Missing = new(null, SettingSource.None);

    public bool HasValue => !string.IsNullOrEmpty(Value);
}

// The X OAuth 2.0 client as it stands right now, after admin panel -> environment resolution.
public sealed record XIntegrationState(
    ResolvedSetting ClientId,
    ResolvedSetting ClientSecret,
    bool Enabled,
    bool LongLivedConnections,
    bool StoredSecretUnreadable,
    DateTimeOffset? LastUpdatedAt,
    string? LastUpdatedBy,
    bool WebPathEnabled = true)
{
    public const string NotConfiguredMessage = "Twitter integration disabled: client id/secret not configured";
    public const string DisabledByAdminMessage = "X (Twitter) integration disabled by admin";

    // The first 6 characters, enough for an admin to recognise which app is live.
    public string? ClientIdPreview => ClientId.Value?[..Math.Min(6, ClientId.Value.Length)];

    // The pair to present to X, whatever the status: revoking a token on disconnect still needs it.
    public XClientCredentials? ConfiguredCredentials =>
        ClientId.HasValue && ClientSecret.HasValue ? new XClientCredentials(ClientId.Value!, ClientSecret.Value!) : null;

    // The pair for new connections and refreshes: only while the integration is enabled.
    public XClientCredentials? Credentials => UnavailableReason is null ? ConfiguredCredentials : null;

    // Why nobody can connect an X account through OAuth right now, or null when they can.
    public string? UnavailableReason =>
        !Enabled ? DisabledByAdminMessage
        : !ClientId.HasValue || !ClientSecret.HasValue ? NotConfiguredMessage
        : null;
}

// Reads and writes the X integration's rows of the options table. Every call reads the database, so a
// save made on any node is what the next request on every node sees, with no restart and no cache to
// invalidate; the environment's values were bound once at boot.
public sealed partial class XIntegrationSettings(
    SosyabotDbContext db,
    SecretProtector protector,
    IOptions<XOptions> environment,
    TimeProvider time,
    ILogger<XIntegrationSettings> logger)
{
    private static readonly string[] Keys =
        [OptionKeys.XClientId, OptionKeys.XClientSecret, OptionKeys.XIntegrationStatus, OptionKeys.XLongLivedConnections];

    private static readonly string[] ReadKeys = [.. Keys, XWebSettings.StatusKey];

    // The instance's own secret, bound to its row of the options table.
    public static readonly SecretPurpose ClientSecretPurpose = SecretPurpose.Instance(SecretKinds.XClientSecret, OptionKeys.XClientSecret);

    public async Task<XIntegrationState> GetAsync(CancellationToken cancellationToken)
    {
        var all = await db.Options.AsNoTracking()
            .Where(o => ReadKeys.Contains(o.Key))
            .ToDictionaryAsync(o => o.Key, cancellationToken);
        var webPathEnabled = all.GetValueOrDefault(XWebSettings.StatusKey)?.Value != OptionKeys.StatusDisabled;
        var rows = all.Where(r => Keys.Contains(r.Key)).ToDictionary();

        var env = environment.Value;
        var clientId = Resolve(rows.GetValueOrDefault(OptionKeys.XClientId)?.Value, env.ClientId);

        var secretUnreadable = false;
        string? storedSecret = null;
        if (rows.TryGetValue(OptionKeys.XClientSecret, out var secretRow))
        {
            try
            {
                storedSecret = protector.Unprotect(ClientSecretPurpose, secretRow.Value);
            }
            catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
            {
                secretUnreadable = true;
                LogStoredSecretUnreadable(logger, ex.GetType().Name);
            }
        }
        var clientSecret = Resolve(storedSecret, env.ClientSecret);

        var enabled = rows.GetValueOrDefault(OptionKeys.XIntegrationStatus)?.Value != OptionKeys.StatusDisabled;
        var longLived = rows.GetValueOrDefault(OptionKeys.XLongLivedConnections)?.Value == OptionKeys.StatusEnabled;
        var lastUpdate = rows.Values.MaxBy(o => o.UpdatedAt);

        return new XIntegrationState(
            clientId, clientSecret, enabled, longLived, secretUnreadable, lastUpdate?.UpdatedAt, lastUpdate?.UpdatedBy, webPathEnabled);
    }

    // Saves the admin's values. A null or empty clientId removes the saved one (the
    // environment's applies again); a null or empty clientSecret keeps the saved secret.
    public async Task SaveAsync(
        string? clientId, string? clientSecret, bool enabled, bool longLivedConnections, string updatedBy, CancellationToken cancellationToken)
    {
        var rows = await db.Options.Where(o => Keys.Contains(o.Key)).ToDictionaryAsync(o => o.Key, cancellationToken);
        var now = time.GetUtcNow();

        if (string.IsNullOrEmpty(clientId))
        {
            Remove(rows, OptionKeys.XClientId);
        }
        else
        {
            Upsert(rows, OptionKeys.XClientId, clientId, now, updatedBy);
        }

        if (!string.IsNullOrEmpty(clientSecret))
        {
            Upsert(rows, OptionKeys.XClientSecret, protector.Protect(ClientSecretPurpose, clientSecret), now, updatedBy);
        }

        Upsert(rows, OptionKeys.XIntegrationStatus, enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled, now, updatedBy);
        Upsert(rows, OptionKeys.XLongLivedConnections, longLivedConnections ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled, now, updatedBy);

        await db.SaveChangesAsync(cancellationToken);
        LogSaved(logger, updatedBy, enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled);
    }

    // Forgets the admin panel's Client ID and Secret, so the environment's apply again.
    public async Task ClearCredentialsAsync(string updatedBy, CancellationToken cancellationToken)
    {
        await db.Options
            .Where(o => o.Key == OptionKeys.XClientId || o.Key == OptionKeys.XClientSecret)
            .ExecuteDeleteAsync(cancellationToken);
        LogCleared(logger, updatedBy);
    }

    private static ResolvedSetting Resolve(string? adminPanelValue, string? environmentValue) =>
        !string.IsNullOrEmpty(adminPanelValue) ? new(adminPanelValue, SettingSource.AdminPanel)
        : !string.IsNullOrEmpty(environmentValue) ? new(environmentValue, SettingSource.Environment)
        : ResolvedSetting.Missing;

    private void Upsert(Dictionary<string, OptionEntry> rows, string key, string value, DateTimeOffset now, string updatedBy)
    {
        if (!rows.TryGetValue(key, out var row))
        {
            row = new OptionEntry { Key = key, Value = value };
            db.Options.Add(row);
        }
        row.Value = value;
        row.UpdatedAt = now;
        row.UpdatedBy = updatedBy;
    }

    private void Remove(Dictionary<string, OptionEntry> rows, string key)
    {
        if (rows.TryGetValue(key, out var row))
        {
            db.Options.Remove(row);
        }
    }

    [LoggerMessage(LogLevel.Information, "X integration settings saved by {UpdatedBy}; status {Status}")]
    private static partial void LogSaved(ILogger logger, string updatedBy, string status);

    [LoggerMessage(LogLevel.Information, "X integration credentials removed from the admin panel by {UpdatedBy}")]
    private static partial void LogCleared(ILogger logger, string updatedBy);

    [LoggerMessage(LogLevel.Warning,
        "The saved X client secret cannot be decrypted ({ErrorType}): the key ring has changed or the value was not written for this row. " +
        "The admin must paste it again.")]
    private static partial void LogStoredSecretUnreadable(ILogger logger, string errorType);
}
