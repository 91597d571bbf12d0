using System.Security.Cryptography;
using System.Text.Json;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// Each credential is encrypted for its own column of its own channel (SecretPurpose): a value copied from another
// channel or column does not decrypt, and the channel then asks to be reconnected.
public sealed class ChannelSecrets(SecretProtector protector)
{
    public const string UnreadableReason =
        "The stored credentials of this channel cannot be decrypted (they were not written for this channel, or the key that " +
        "encrypted them is gone). Reconnect the account.";

    public void StoreOAuthTokens(Channel channel, XTokenResponse tokens, DateTimeOffset now)
    {
        channel.AccessTokenProtected = Protect(channel, SecretKinds.ChannelAccessToken, tokens.AccessToken);
        // X sends a new refresh token with every refresh and the old one dies with it; without offline.access there is none.
        channel.RefreshTokenProtected = tokens.RefreshToken is { Length: > 0 } refresh ? Protect(channel, SecretKinds.ChannelRefreshToken, refresh) : null;
        channel.AccessTokenExpiresAt = now.AddSeconds(tokens.ExpiresIn);
        channel.Scopes = tokens.Scope;
    }

    public void StoreWebSession(Channel channel, WebSessionCookies cookies)
    {
        channel.SessionAuthTokenProtected = Protect(channel, SecretKinds.ChannelSessionAuthToken, cookies.AuthToken);
        channel.SessionCt0Protected = Protect(channel, SecretKinds.ChannelSessionCt0, cookies.Ct0);
    }

    public void StoreApiKeys(Channel channel, ApiKeyCredentials keys)
    {
        channel.ApiKeysProtected = Protect(channel, SecretKinds.ChannelApiKeys, JsonSerializer.Serialize(keys));
        channel.IsReadOnly = !keys.CanActAsUser;
    }

    public ApiKeyCredentials? ApiKeys(Channel channel) =>
        Read(channel, SecretKinds.ChannelApiKeys, channel.ApiKeysProtected) is { } json ? JsonSerializer.Deserialize<ApiKeyCredentials>(json) : null;

    public string? AccessToken(Channel channel) => Read(channel, SecretKinds.ChannelAccessToken, channel.AccessTokenProtected);

    public string? RefreshToken(Channel channel) => Read(channel, SecretKinds.ChannelRefreshToken, channel.RefreshTokenProtected);

    public WebSessionCookies? WebSession(Channel channel) =>
        WebSession(channel, channel.SessionAuthTokenProtected, channel.SessionCt0Protected);

    // The session from columns read apart from the entity (ChannelTokens reads them fresh for every call).
    public WebSessionCookies? WebSession(Channel channel, string? authTokenProtected, string? ct0Protected) =>
        Read(channel, SecretKinds.ChannelSessionAuthToken, authTokenProtected) is { } authToken
        && Read(channel, SecretKinds.ChannelSessionCt0, ct0Protected) is { } ct0
            ? new WebSessionCookies(authToken, ct0)
            : null;

    // A ct0 that x.com rotated, written without loading the channel.
    public string ProtectCt0(Channel channel, string ct0) => Protect(channel, SecretKinds.ChannelSessionCt0, ct0);

    public static SecretPurpose PurposeOf(Channel channel, string kind) => SecretPurpose.Channel(kind, channel.WorkspaceId, channel.Id);

    private string Protect(Channel channel, string kind, string plaintext) => protector.Protect(PurposeOf(channel, kind), plaintext);

    private string? Read(Channel channel, string kind, string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        try
        {
            return protector.Unprotect(PurposeOf(channel, kind), stored);
        }
        catch (CryptographicException)
        {
            throw new ChannelCredentialsUnreadableException(UnreadableReason);
        }
    }
}

// The two cookies of a logged-in x.com browser session.
public sealed record WebSessionCookies(string AuthToken, string Ct0)
{
    public override string ToString() => "WebSessionCookies { redacted }";
}

// A workspace's own X app and, optionally, one account's access token pair for it (X's developer portal,
// "Keys and tokens"). Without the pair the app can only read public data.
public sealed record ApiKeyCredentials(string ApiKey, string ApiSecret, string BearerToken, string? AccessToken, string? AccessTokenSecret)
{
    public bool CanActAsUser => AccessToken is not null && AccessTokenSecret is not null;

    public override string ToString() => "ApiKeyCredentials { redacted }";
}
