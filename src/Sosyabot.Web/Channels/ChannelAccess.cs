using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// When a channel stops being able to act on X without a person: the one rule the composer, the API and the lists share.
public static class ChannelAccess
{
    // The end of an OAuth 2.0 channel's access when nothing will renew it (long-lived connections off, or no
    // refresh token); null for channels whose access lasts until someone ends it.
    public static DateTimeOffset? EndsAt(Channel channel, XIntegrationState integration) =>
        MayEnd(channel)
        && !(integration.LongLivedConnections && integration.Credentials is not null && channel.RefreshTokenProtected is not null)
            ? channel.AccessTokenExpiresAt
            : null;

    // Whether the channel's access can end by itself at all, whatever the instance's settings: an active OAuth 2.0
    // channel. API keys and cookies last until someone ends them.
    public static bool MayEnd(Channel channel) => channel.Kind == ChannelKind.OAuth2 && channel.State == ChannelStates.Active;

    // The ways out, in the words a person needs when a scheduled post would outlive the channel's access.
    public static string WaysOut(Channel channel) =>
        $"Reconnect @{channel.Handle} after that time, ask your admin to turn on long-lived connections (Admin → X (Twitter)), " +
        "or connect the account with your own API keys, which do not expire.";
}
