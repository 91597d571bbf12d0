using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// A connect, check or disconnect that failed; the message is meant for the person who tried.
public sealed class ChannelConnectException(string message) : Exception(message);

public sealed partial class ChannelConnections(
    SosyabotDbContext db,
    ChannelSecrets secrets,
    ChannelTokens tokens,
    XClient x,
    XIntegrationSettings settings,
    XWebSettings webSettings,
    TimeProvider time,
    ILogger<ChannelConnections> logger)
{
    // Records a Connect click and returns the properties to challenge X with. The attempt's id travels in
    // the protected state; the callback must find (and delete) the row, so each state works once.
    public async Task<AuthenticationProperties> BeginOAuthAsync(
        Guid workspaceId, string userId, Guid? reconnectChannelId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.ConnectAttempts.Where(a => a.CreatedAt < now - XConnectDefaults.AttemptLifetime).ExecuteDeleteAsync(cancellationToken);
        var attempt = new ConnectAttempt { WorkspaceId = workspaceId, UserId = userId, ReconnectChannelId = reconnectChannelId, CreatedAt = now };
        db.ConnectAttempts.Add(attempt);
        await db.SaveChangesAsync(cancellationToken);

        // No RedirectUri: every end of the callback (connected, denied, failed) goes back to the channels page by its events.
        var properties = new AuthenticationProperties();
        properties.Items[XConnectDefaults.AttemptKey] = attempt.Id.ToString();
        return properties;
    }

    // Stores (or updates: one channel per X account per workspace) what an OAuth 2.0 connect brought back.
    public async Task<Channel> SaveOAuthConnectionAsync(
        ConnectAttempt attempt, XUserProfile profile, XTokenResponse tokenResponse, CancellationToken cancellationToken)
    {
        if (attempt.ReconnectChannelId is { } reconnectId)
        {
            var expected = await db.Channels.AsNoTracking()
                .Where(c => c.Id == reconnectId && c.WorkspaceId == attempt.WorkspaceId)
                .Select(c => new { c.XUserId, c.Handle })
                .SingleOrDefaultAsync(cancellationToken);
            if (expected is not null && expected.XUserId != profile.Id)
            {
                throw new ChannelConnectException(
                    $"You authorized @{profile.Username} on X, but this channel is @{expected.Handle}. " +
                    $"Log in to X as @{expected.Handle} (or log out of X first) and reconnect again.");
            }
        }

        return await UpsertAsync(attempt.WorkspaceId, attempt.UserId, profile, ChannelKind.OAuth2,
            channel => secrets.StoreOAuthTokens(channel, tokenResponse, time.GetUtcNow()), cancellationToken);
    }

    // Checks the cookies' shape, asks X whose session they are, and only then saves the channel.
    public async Task<Channel> ConnectWebSessionAsync(
        Guid workspaceId, string userId, WebSessionCookies cookies, CancellationToken cancellationToken)
    {
        if (!(await webSettings.GetAsync(cancellationToken)).Enabled)
        {
            throw new ChannelConnectException(XWebState.DisabledMessage);
        }
        XUserProfile profile;
        try
        {
            profile = await x.VerifyWebSessionAsync(cookies.AuthToken, cookies.Ct0, cancellationToken);
        }
        catch (XApiException ex) when (ex.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ChannelConnectException(
                $"X did not accept these cookies ({(int)ex.Status}{Describe(ex)}). They expire when you log out of x.com: " +
                "log in again in your browser and copy fresh auth_token and ct0 values.");
        }
        catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException)
        {
            throw new ChannelConnectException($"Could not check the cookies with X: {ex.Message}. Nothing was saved; try again.");
        }

        return await UpsertAsync(workspaceId, userId, profile, ChannelKind.Cookie,
            channel => secrets.StoreWebSession(channel, cookies), cancellationToken);
    }

    // Checks a workspace's own X app keys with X before saving them: with an access token pair, GET /2/users/me
    // signed with OAuth 1.0a says whose token it is; the bearer token then has to read that account (or, without
    // the pair, the account named by username), which is what it will be used for.
    public async Task<Channel> ConnectWithApiKeysAsync(
        Guid workspaceId, string userId, ApiKeyCredentials keys, string? username, CancellationToken cancellationToken)
    {
        XUserProfile profile;
        try
        {
            profile = keys.CanActAsUser
                ? await x.GetMeAsync(new XAuth.OAuth1(keys.ApiKey, keys.ApiSecret, keys.AccessToken!, keys.AccessTokenSecret!), cancellationToken)
                : await x.GetUserByUsernameAsync(new XAuth.Bearer(keys.BearerToken), username!.TrimStart('@'), cancellationToken);
        }
        catch (XApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            throw new ChannelConnectException(keys.CanActAsUser
                ? ChannelGuidance.Unauthorized(ChannelKind.ApiKeys, ex) + " Also check that the access token and secret were generated for this same app."
                : BearerRefused(ex));
        }
        catch (XApiException ex) when (ex.Status == HttpStatusCode.NotFound && !keys.CanActAsUser && ex.Description is not null)
        {
            throw new ChannelConnectException(
                $"X has no account @{username!.TrimStart('@')}{ChannelGuidance.Detail(ex)}. Check the username; nothing was saved.");
        }
        catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException)
        {
            throw new ChannelConnectException($"Could not check the keys with X: {ex.Message}. Nothing was saved; try again.");
        }

        if (keys.CanActAsUser)
        {
            try
            {
                await x.GetUserByUsernameAsync(new XAuth.Bearer(keys.BearerToken), profile.Username, cancellationToken);
            }
            catch (XApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
            {
                throw new ChannelConnectException(BearerRefused(ex));
            }
            catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException)
            {
                throw new ChannelConnectException(
                    $"The consumer keys and access token work, but checking the bearer token failed: {ex.Message}. Nothing was saved; try again.");
            }
        }

        return await UpsertAsync(workspaceId, userId, profile, ChannelKind.ApiKeys,
            channel => secrets.StoreApiKeys(channel, keys), cancellationToken);
    }

    // Asks X who the channel's credentials belong to, refreshing name and avatar; a 401 means reconnect.
    public async Task CheckAsync(Channel channel, CancellationToken cancellationToken)
    {
        try
        {
            XUserProfile profile;
            if (channel.Kind == ChannelKind.Cookie && secrets.WebSession(channel) is { } cookies)
            {
                profile = await x.VerifyWebSessionAsync(cookies.AuthToken, cookies.Ct0, cancellationToken);
            }
            else
            {
                // A read-only keys channel has only the app's bearer, which cannot ask "who am I".
                var authorization = await tokens.AuthorizeAsync(
                    channel, channel.IsReadOnly ? XCallContext.AppOnlyAllowed : XCallContext.UserRequired, "users.read", cancellationToken);
                profile = channel.IsReadOnly
                    ? await x.GetUserByUsernameAsync(authorization.Auth, channel.Handle, cancellationToken)
                    : await x.GetMeAsync(authorization.Auth, cancellationToken);
            }
            await db.Channels.Where(c => c.Id == channel.Id).ExecuteUpdateAsync(update => update
                .SetProperty(c => c.Handle, profile.Username)
                .SetProperty(c => c.DisplayName, profile.Name)
                .SetProperty(c => c.AvatarUrl, profile.ProfileImageUrl)
                // Only users/me says the subscription; a lookup by handle or the web path leaves what is known.
                .SetProperty(c => c.SubscriptionType, c => profile.SubscriptionType ?? c.SubscriptionType), cancellationToken);
        }
        catch (XApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            var reason = ChannelGuidance.Unauthorized(channel.Kind, ex);
            await tokens.MarkNeedsReconnectAsync(channel.Id, reason, cancellationToken);
            throw new ChannelConnectException(reason);
        }
        catch (ChannelCredentialsUnreadableException ex)
        {
            await tokens.MarkNeedsReconnectAsync(channel.Id, ex.Message, cancellationToken);
            throw new ChannelConnectException(ex.Message);
        }
        catch (Exception ex) when (ex is ChannelNeedsReconnectException or ChannelRefusedException)
        {
            throw new ChannelConnectException(ex.Message);
        }
        catch (XApiException ex) when ((int)ex.Status is not (408 or 429) and < 500)
        {
            throw new ChannelConnectException($"X refused the check of @{channel.Handle}{ChannelGuidance.Detail(ex)}.");
        }
        catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // X throttled the check (or a token renewal), or did not answer: nothing is known to be wrong with the channel.
            throw new ChannelConnectException($"Could not check @{channel.Handle} with X now: {ex.Message}. The channel is unchanged; try again later.");
        }
    }

    // Revokes the grant at X (best effort: the tokens are deleted here whatever X says).
    public Task<string?> DisconnectAsync(Channel channel, CancellationToken cancellationToken) =>
        DisconnectAsync(channel, "Disconnected by a workspace member.", cancellationToken);

    public async Task<string?> DisconnectAsync(Channel channel, string reason, CancellationToken cancellationToken)
    {
        string? warning = null;
        string? accessToken = null, refreshToken = null;
        try
        {
            accessToken = channel.Kind == ChannelKind.OAuth2 ? secrets.AccessToken(channel) : null;
            refreshToken = accessToken is null ? null : secrets.RefreshToken(channel);
        }
        catch (ChannelCredentialsUnreadableException)
        {
            warning = "The stored tokens could not be decrypted, so the grant could not be revoked at X; they were deleted here. " +
                "Remove the app under Connected apps on x.com.";
        }
        if (accessToken is not null)
        {
            var credentials = (await settings.GetAsync(cancellationToken)).ConfiguredCredentials;
            try
            {
                if (credentials is null)
                {
                    warning = "The X client credentials are not configured, so the grant could not be revoked at X; " +
                        "remove the app under Connected apps on x.com.";
                }
                else
                {
                    if (refreshToken is not null)
                    {
                        await x.RevokeAsync(credentials, refreshToken, "refresh_token", cancellationToken);
                    }
                    await x.RevokeAsync(credentials, accessToken, "access_token", cancellationToken);
                }
            }
            catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException)
            {
                warning = $"X did not confirm the revocation ({ex.Message}); the tokens were deleted here anyway. " +
                    "You can also remove the app under Connected apps on x.com.";
            }
        }

        channel.ForgetCredentials();
        channel.State = ChannelStates.Disconnected;
        channel.StateReason = reason;
        await db.SaveChangesAsync(cancellationToken);
        LogDisconnected(logger, channel.Id);
        return warning;
    }

    private async Task<Channel> UpsertAsync(
        Guid workspaceId, string userId, XUserProfile profile, ChannelKind kind, Action<Channel> storeCredentials, CancellationToken cancellationToken)
    {
        // Checked at the moment of saving, not only when the flow started: a Connect begun before the member left
        // (or was made a viewer) must not land a channel in the workspace when X sends the browser back.
        var role = await db.WorkspaceMembers.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId == userId)
            .Select(m => (WorkspaceRole?)m.Role)
            .SingleOrDefaultAsync(cancellationToken);
        if (role is not { } current || !WorkspacePermissions.Allows(current, WorkspacePermission.ConnectChannels))
        {
            throw new ChannelConnectException("You may no longer connect channels to that workspace. Nothing was connected.");
        }
        for (var attempt = 0; ; attempt++)
        {
            var channel = await db.Channels.SingleOrDefaultAsync(c => c.WorkspaceId == workspaceId && c.XUserId == profile.Id, cancellationToken);
            if (channel is null)
            {
                channel = new Channel
                {
                    WorkspaceId = workspaceId,
                    XUserId = profile.Id,
                    Handle = profile.Username,
                    DisplayName = profile.Name,
                    ConnectedByUserId = userId,
                };
                db.Channels.Add(channel);
            }
            channel.ForgetCredentials();
            channel.Kind = kind;
            channel.Handle = profile.Username;
            channel.DisplayName = profile.Name;
            channel.AvatarUrl = profile.ProfileImageUrl;
            channel.SubscriptionType = profile.SubscriptionType;
            channel.State = ChannelStates.Active;
            channel.StateReason = null;
            channel.ConnectedByUserId = userId;
            channel.ConnectedAt = time.GetUtcNow();
            storeCredentials(channel);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                LogConnected(logger, channel.Id, workspaceId, kind);
                return channel;
            }
            catch (DbUpdateException ex) when (attempt == 0 && ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
            {
                // The same account was connected concurrently from another tab or node: update that row instead.
                db.ChangeTracker.Clear();
            }
        }
    }

    private static string BearerRefused(XApiException ex) =>
        $"X did not accept the bearer token (401{Describe(ex)}). " +
        "Copy the app's Bearer Token again from Keys and tokens in X's developer portal, or regenerate it.";

    private static string Describe(XApiException ex) =>
        ex.Error is null && ex.Description is null ? "" : $" {ex.Error}{(ex.Description is null ? "" : ": " + ex.Description)}";

    [LoggerMessage(LogLevel.Information, "Channel {ChannelId} connected to workspace {WorkspaceId} through {Kind}")]
    private static partial void LogConnected(ILogger logger, Guid channelId, Guid workspaceId, ChannelKind kind);

    [LoggerMessage(LogLevel.Information, "Channel {ChannelId} disconnected")]
    private static partial void LogDisconnected(ILogger logger, Guid channelId);
}

public static partial class WebSessionCookieFormat
{
    // Why the pasted cookies cannot be an x.com session, or null when their shape is right.
    public static string? Problem(string? authToken, string? ct0) =>
        string.IsNullOrEmpty(authToken) || string.IsNullOrEmpty(ct0) ? "Both auth_token and ct0 are required."
        : !AuthTokenPattern().IsMatch(authToken) ? "auth_token must be the 40 hexadecimal characters of the auth_token cookie (no quotes, no 'auth_token=')."
        : !Ct0Pattern().IsMatch(ct0) ? "ct0 must be the 32 to 160 hexadecimal characters of the ct0 cookie (no quotes, no 'ct0=')."
        : null;

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex AuthTokenPattern();

    [GeneratedRegex("^[0-9a-f]{32,160}$")]
    private static partial Regex Ct0Pattern();
}

public static partial class ApiKeyFormat
{
    // What is wrong with pasted API keys, by field; empty when their shapes are right.
    public static Dictionary<string, string> Problems(
        string? apiKey, string? apiSecret, string? bearerToken, string? accessToken, string? accessTokenSecret, string? username)
    {
        var problems = new Dictionary<string, string>();
        if (!TokenPattern().IsMatch(apiKey ?? ""))
        {
            problems["api_key"] = "The API key (consumer key) is required: letters and digits, as X shows it under Keys and tokens.";
        }
        if (!TokenPattern().IsMatch(apiSecret ?? ""))
        {
            problems["api_secret"] = "The API key secret (consumer secret) is required: letters and digits, as X shows it under Keys and tokens.";
        }
        if (string.IsNullOrEmpty(bearerToken) || !bearerToken.StartsWith("AAAA", StringComparison.Ordinal) || !BearerPattern().IsMatch(bearerToken))
        {
            problems["bearer_token"] = "The bearer token is required and starts with AAAA (copy the whole Bearer Token, without 'Bearer ').";
        }
        var hasToken = !string.IsNullOrEmpty(accessToken);
        var hasSecret = !string.IsNullOrEmpty(accessTokenSecret);
        if (hasToken != hasSecret)
        {
            problems[hasToken ? "access_token_secret" : "access_token"] =
                "Give both the access token and its secret, or neither (then the channel can only read).";
        }
        else if (hasToken && !AccessTokenPattern().IsMatch(accessToken!))
        {
            problems["access_token"] = "The access token looks like {user_id}-{token}: the account's numeric id, a dash, then letters and digits.";
        }
        else if (hasSecret && !TokenPattern().IsMatch(accessTokenSecret!))
        {
            problems["access_token_secret"] = "The access token secret is letters and digits, as X shows it under Keys and tokens.";
        }
        if (!hasToken && !hasSecret && !UsernamePattern().IsMatch((username ?? "").TrimStart('@')))
        {
            problems["username"] = "Without an access token, name the account to read: its @handle (letters, digits and _, up to 15).";
        }
        return problems;
    }

    [GeneratedRegex("^[A-Za-z0-9]{10,100}$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("^AAAA[A-Za-z0-9%_\\-\\.~+/=]{20,300}$")]
    private static partial Regex BearerPattern();

    [GeneratedRegex("^[0-9]{1,20}-[A-Za-z0-9]{10,100}$")]
    private static partial Regex AccessTokenPattern();

    [GeneratedRegex("^[A-Za-z0-9_]{1,15}$")]
    private static partial Regex UsernamePattern();
}
