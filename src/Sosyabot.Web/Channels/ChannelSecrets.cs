using System.Text.Json;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

public sealed class ChannelSecrets(SecretProtector protector)
{
    public void StoreOAuthTokens(Channel channel, XTokenResponse tokens, DateTimeOffset now)
    {
        channel.AccessTokenProtected = protector.Protect(tokens.AccessToken);
        // X sends a new refresh token with every refresh and the old one dies with it; without offline.access there is none.
        channel.RefreshTokenProtected = tokens.RefreshToken is { Length: > 0 } refresh ? protector.Protect(refresh) : null;
        channel.AccessTokenExpiresAt = now.AddSeconds(tokens.ExpiresIn);
        channel.Scopes = tokens.Scope;
    }

    public void StoreWebSession(Channel channel, WebSessionCookies cookies)
    {
        channel.SessionAuthTokenProtected = protector.Protect(cookies.AuthToken);
        channel.SessionCt0Protected = protector.Protect(cookies.Ct0);
    }

    public void StoreApiKeys(Channel channel, ApiKeyCredentials keys)
    {
        channel.ApiKeysProtected = protector.Protect(JsonSerializer.Serialize(keys));
        channel.IsReadOnly = !keys.CanActAsUser;
    }

    public ApiKeyCredentials? ApiKeys(Channel channel) =>
        Read(channel.ApiKeysProtected) is { } json ? JsonSerializer.Deserialize<ApiKeyCredentials>(json) : null;

    public string? AccessToken(Channel channel) => Read(channel.AccessTokenProtected);

    public string? RefreshToken(Channel channel) => Read(channel.RefreshTokenProtected);

    public WebSessionCookies? WebSession(Channel channel) =>
        Read(channel.SessionAuthTokenProtected) is { } authToken && Read(channel.SessionCt0Protected) is { } ct0
            ? new WebSessionCookies(authToken, ct0)
            : null;

    private string? Read(string? stored) => stored is null ? null : protector.Unprotect(stored);
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
