using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Notifications;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// The channel cannot act on X until a person reconnects it; Exception.Message says why.
public class ChannelNeedsReconnectException(string reason) : Exception(reason);

// The channel's stored credentials do not decrypt for it (copied from another row, or their key is gone).
public sealed class ChannelCredentialsUnreadableException(string reason) : ChannelNeedsReconnectException(reason);

// The channel cannot make this call as it is connected; Exception.Message says what would make it able to.
public sealed class ChannelRefusedException(string reason) : Exception(reason);

// Whether a call to X may use the app's own bearer (public reads) or must act as the account.
public enum XCallContext
{
    AppOnlyAllowed,
    UserRequired,
}

// How to authorize a call for a channel, and which X app's budget it spends.
public sealed record ChannelAuthorization(XAuth Auth, string AppKey);

// Hands out a usable access token for an OAuth 2.0 channel, renewing it when long-lived connections are
// on. X's refresh tokens are single-use and rotate, and presenting a spent one revokes the whole grant,
// so a renewal runs under a row lock on the channel (one at a time across every node) and the rotated
// pair is written in the same transaction that held the lock.
public sealed partial class ChannelTokens(
    SosyabotDbContext db,
    ChannelSecrets secrets,
    XClient x,
    XIntegrationSettings settings,
    XWebSettings webSettings,
    TimeProvider time,
    IWorkspaceEvents events,
    LinkGenerator links,
    ILogger<ChannelTokens> logger)
{
    // Renew this long before expiry, so a token handed out is still good for the call it is for.
    public static readonly TimeSpan RenewalMargin = TimeSpan.FromMinutes(5);

    // The credentials to call X with for channel. oauth2Scope is the scope
    // an OAuth 2.0 token needs for the call: a channel connected before the scope was asked for is told to
    // reconnect instead of meeting X's 403.
    public async Task<ChannelAuthorization> AuthorizeAsync(
        Channel channel, XCallContext context, string oauth2Scope, CancellationToken cancellationToken)
    {
        if (channel.Kind == ChannelKind.Cookie)
        {
            throw new InvalidOperationException($"Channel {channel.Id} is cookie-connected: its calls go through AuthorizeWebAsync and XWebClient.");
        }
        EnsureCanAct(channel, context, oauth2Scope);
        if (channel.Kind == ChannelKind.OAuth2)
        {
            var token = await GetAccessTokenAsync(channel.Id, cancellationToken);
            var client = (await settings.GetAsync(cancellationToken)).ConfiguredCredentials?.ClientId ?? "unconfigured";
            return new ChannelAuthorization(new XAuth.Bearer(token), $"oauth2:{client}");
        }
        var keys = await ReadAsync(channel.Id, () => secrets.ApiKeys(channel), cancellationToken)
            ?? throw new InvalidOperationException($"Channel {channel.Id} has no API keys.");
        // The consumer key names the app; hashed because budget keys are shown to nobody and need not carry it.
        var appKey = "byok:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(keys.ApiKey)))[..16];
        if (context == XCallContext.AppOnlyAllowed)
        {
            return new ChannelAuthorization(new XAuth.Bearer(keys.BearerToken), appKey);
        }
        return keys.CanActAsUser
            ? new ChannelAuthorization(new XAuth.OAuth1(keys.ApiKey, keys.ApiSecret, keys.AccessToken!, keys.AccessTokenSecret!), appKey)
            : throw new ChannelRefusedException(ChannelGuidance.ReadOnlyChannel(channel.Handle));
    }

    // A cookie channel's session for x.com's web path, with the query ids and features resolved right now.
    // Refused like any other call the channel cannot make, and while the admin has the cookie path off.
    public async Task<XWebSession> AuthorizeWebAsync(Channel channel, string oauth2Scope, CancellationToken cancellationToken)
    {
        var web = await webSettings.GetAsync(cancellationToken);
        switch (ChannelAbility.Refusal(channel, XCallContext.UserRequired, oauth2Scope, web.Enabled))
        {
            case { NeedsReconnect: true } refusal:
                throw new ChannelNeedsReconnectException(channel.StateReason ?? refusal.Reason);
            case { } refusal:
                throw new ChannelRefusedException(refusal.Reason);
        }
        // Read fresh: a ct0 rotated by an earlier call (another scope, another node) is the one x.com accepts now.
        var stored = await db.Channels.AsNoTracking().Where(c => c.Id == channel.Id)
            .Select(c => new { c.SessionAuthTokenProtected, c.SessionCt0Protected }).SingleAsync(cancellationToken);
        if (stored.SessionAuthTokenProtected is null || stored.SessionCt0Protected is null)
        {
            throw new ChannelNeedsReconnectException($"@{channel.Handle} has no browser session stored. Reconnect it with fresh auth_token and ct0 cookies.");
        }
        var cookies = await ReadAsync(channel.Id,
            () => secrets.WebSession(channel, stored.SessionAuthTokenProtected, stored.SessionCt0Protected)!, cancellationToken);
        return new XWebSession(cookies.AuthToken, cookies.Ct0, web.Queries);
    }

    // x.com handed the session a new ct0: stored (encrypted) at once, so every later call, on any node, sends it.
    public async Task StoreRotatedCt0Async(Channel channel, XWebSession session, CancellationToken cancellationToken)
    {
        if (session.TakeRotatedCt0() is not { } ct0)
        {
            return;
        }
        var channelId = channel.Id;
        var protectedCt0 = secrets.ProtectCt0(channel, ct0);
        await db.Channels.Where(c => c.Id == channelId && c.Kind == ChannelKind.Cookie)
            .ExecuteUpdateAsync(update => update.SetProperty(c => c.SessionCt0Protected, protectedCt0), CancellationToken.None);
        LogCt0Rotated(logger, channelId);
    }

    // Refuses, without reading secrets or calling X, a call channel cannot make as connected.
    public static void EnsureCanAct(Channel channel, XCallContext context, string oauth2Scope)
    {
        switch (ChannelAbility.Refusal(channel, context, oauth2Scope))
        {
            case { NeedsReconnect: true } refusal:
                throw new ChannelNeedsReconnectException(channel.StateReason ?? refusal.Reason);
            case { } refusal:
                throw new ChannelRefusedException(refusal.Reason);
        }
    }

    public async Task<string> GetAccessTokenAsync(Guid channelId, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId, cancellationToken);
        if (channel.State != ChannelStates.Active)
        {
            throw new ChannelNeedsReconnectException(channel.StateReason ?? "The channel is not connected.");
        }
        var accessToken = await ReadAsync(channelId, () => secrets.AccessToken(channel), cancellationToken)
            ?? throw new InvalidOperationException($"Channel {channelId} has no OAuth 2.0 access token.");
        var now = time.GetUtcNow();
        if (channel.AccessTokenExpiresAt - now > RenewalMargin)
        {
            return accessToken;
        }

        var integration = await settings.GetAsync(cancellationToken);
        if (!integration.LongLivedConnections || channel.RefreshTokenProtected is null || integration.Credentials is null)
        {
            if (channel.AccessTokenExpiresAt > now)
            {
                return accessToken;
            }
            var reason = channel.RefreshTokenProtected is null
                ? "X's access token expired (they last about 2 hours). Reconnect the account, or ask your admin to turn on long-lived connections."
                : "X's access token expired and cannot be renewed while the X integration is disabled or unconfigured.";
            await MarkNeedsReconnectAsync(channelId, reason, cancellationToken);
            throw new ChannelNeedsReconnectException(reason);
        }

        return await RenewAsync(channelId, integration.Credentials, cancellationToken);
    }

    // Marks channels whose token has run out with nothing to renew it, so the list tells the truth.
    public async Task MarkExpiredAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // Only OAuth 2.0 tokens expire; API keys live until regenerated, cookies until logout. A read first,
        // so that the common case (nothing expired) costs no write on every page view.
        var expired = db.Channels.Where(c => c.WorkspaceId == workspaceId && c.State == ChannelStates.Active && c.Kind == ChannelKind.OAuth2
                                             && c.AccessTokenExpiresAt <= now);
        if (!await expired.AnyAsync(cancellationToken))
        {
            return;
        }
        var integration = await settings.GetAsync(cancellationToken);
        var renewable = integration.LongLivedConnections && integration.Credentials is not null;
        var unrenewable = await expired.Where(c => !renewable || c.RefreshTokenProtected == null).Select(c => c.Id).ToListAsync(cancellationToken);
        foreach (var channelId in unrenewable)
        {
            // One by one, each marked only while still active: the workspace hears once however many pages looked.
            await MarkNeedsReconnectAsync(channelId, "X's access token expired (they last about 2 hours). Reconnect the account.", cancellationToken);
        }
    }

    public async Task MarkNeedsReconnectAsync(Guid channelId, string reason, CancellationToken cancellationToken)
    {
        // Only an active channel: a disconnected or removed one must not come back into the lists as needing a reconnect.
        var marked = await db.Channels.Where(c => c.Id == channelId && c.State == ChannelStates.Active).ExecuteUpdateAsync(update => update
            .SetProperty(c => c.State, ChannelStates.NeedsReconnect)
            .SetProperty(c => c.StateReason, reason), cancellationToken);
        LogNeedsReconnect(logger, channelId, reason);
        if (marked > 0)
        {
            var channel = await db.Channels.AsNoTracking().Where(c => c.Id == channelId)
                .Select(c => new { c.WorkspaceId, c.Handle }).SingleAsync(cancellationToken);
            await events.RecordAsync(NeedsReconnectEvent(channelId, channel.WorkspaceId, channel.Handle, reason), cancellationToken);
        }
    }

    // Marks a tracked channel, with its event staged to be saved in the same SaveChanges.
    private void MarkNeedsReconnect(Channel channel, string reason)
    {
        if (channel.State == ChannelStates.Active)
        {
            events.Add(NeedsReconnectEvent(channel.Id, channel.WorkspaceId, channel.Handle, reason));
        }
        channel.MarkNeedsReconnect(reason);
    }

    private WorkspaceEvent NeedsReconnectEvent(Guid channelId, Guid workspaceId, string handle, string reason) =>
        new(workspaceId, WorkspaceEventTypes.ChannelNeedsReconnect, $"@{handle} needs reconnecting",
            $"@{handle} can no longer act on X until someone reconnects it: {reason}",
            links.GetPathByPage("/Channels/Details", values: new { id = channelId }),
            new Dictionary<string, string?>
            {
                ["channel_id"] = channelId.ToString("D"),
                ["channel_handle"] = handle,
                ["reason"] = reason,
            });

    // A credential that does not decrypt for its channel marks the channel, so its page and the composer say to reconnect it.
    private async Task<T> ReadAsync<T>(Guid channelId, Func<T> read, CancellationToken cancellationToken)
    {
        try
        {
            return read();
        }
        catch (ChannelCredentialsUnreadableException ex)
        {
            await MarkNeedsReconnectAsync(channelId, ex.Message, cancellationToken);
            throw;
        }
    }

    private async Task<string> RenewAsync(Guid channelId, XClientCredentials credentials, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var channel = await db.Channels
            .FromSql($"SELECT * FROM channels WHERE id = {channelId} FOR UPDATE")
            .SingleAsync(cancellationToken);
        var now = time.GetUtcNow();

        // Whoever held the lock before us may have renewed already: their token is ours too.
        string? fresh, refreshToken;
        try
        {
            fresh = channel.AccessTokenExpiresAt - now > RenewalMargin ? secrets.AccessToken(channel) : null;
            refreshToken = fresh is null ? secrets.RefreshToken(channel) : null;
        }
        catch (ChannelCredentialsUnreadableException ex)
        {
            MarkNeedsReconnect(channel, ex.Message);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogNeedsReconnect(logger, channelId, ex.Message);
            throw;
        }
        if (fresh is not null)
        {
            await transaction.CommitAsync(cancellationToken);
            return fresh;
        }
        if (channel.State != ChannelStates.Active || refreshToken is null)
        {
            throw new ChannelNeedsReconnectException(channel.StateReason ?? "The channel is not connected.");
        }

        XTokenResponse tokens;
        try
        {
            tokens = await x.RefreshAsync(credentials, refreshToken, cancellationToken);
        }
        // A 429 or 408 is X declining to answer now, not the grant refused: the refresh token was not spent and
        // renews later, so the channel stays connected and the caller's send is retried.
        catch (XApiException ex) when ((int)ex.Status is >= 400 and < 500 and not 408 and not 429)
        {
            var reason = $"X refused to renew the connection ({(int)ex.Status} {ex.Error}: {ex.Description}). Reconnect the account.";
            MarkNeedsReconnect(channel, reason);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogNeedsReconnect(logger, channelId, reason);
            throw new ChannelNeedsReconnectException(reason);
        }

        secrets.StoreOAuthTokens(channel, tokens, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRenewed(logger, channelId);
        return tokens.AccessToken;
    }

    [LoggerMessage(LogLevel.Information, "x.com rotated the ct0 cookie of channel {ChannelId}; the new one is stored")]
    private static partial void LogCt0Rotated(ILogger logger, Guid channelId);

    [LoggerMessage(LogLevel.Information, "Renewed the X access token of channel {ChannelId}")]
    private static partial void LogRenewed(ILogger logger, Guid channelId);

    [LoggerMessage(LogLevel.Warning, "Channel {ChannelId} needs reconnecting: {Reason}")]
    private static partial void LogNeedsReconnect(ILogger logger, Guid channelId, string reason);
}
