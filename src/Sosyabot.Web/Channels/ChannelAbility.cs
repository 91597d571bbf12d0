namespace Sosyabot.Web.Channels;

// Reason: The whole sentence, with the fix, for a person or an agent who asked for the action.
//
// Label: A few words for a list of channels (the composer's choices).
//
// NeedsReconnect: The channel is not connected (any more): a person must connect it again, and until
// then its posts wait, held.
public sealed record ChannelRefusal(string Reason, string Label, bool NeedsReconnect);

// The one rule for what a channel can do on X as it is connected. The composer greys a channel out, the queue
// refuses a post, the API answers and ChannelTokens refuses the call itself by the same answer, so a
// channel can never be offered in one place and refused in another.
public static class ChannelAbility
{
    public const string PostScope = "tweet.write";

    public static ChannelRefusal? ToPublish(Channel channel, bool webPathOn = true) => Refusal(channel, XCallContext.UserRequired, PostScope, webPathOn);

    // A post carrying a video: x.com's web path in Sosyabot uploads images and GIFs only (its video upload and
    // processing are not carried), so a cookie channel cannot take it.
    public static ChannelRefusal? ToPublishVideo(Channel channel, bool webPathOn = true) =>
        ToPublish(channel, webPathOn) ?? (channel.Kind == ChannelKind.Cookie
            ? new ChannelRefusal(
                $"@{channel.Handle} is connected through a browser session (cookies), and Sosyabot does not send videos through x.com's web path. " +
                "Post the video from a channel connected through X's consent page (OAuth 2.0) or API keys, or post without the video.",
                NoVideo, NeedsReconnect: false)
            : null);

    public const string NoVideo = "no video through the cookie path";

    public const int StandardPostLength = 280;

    // X's long posts: 25,000 weighted characters for accounts with a subscription that includes "longer posts",
    // which X's Help Center lists for every tier (Basic, Premium, Premium+). No subscription, or one X did not
    // report (cookie channels, accounts connected before it was asked for), gets the standard 280.
    public const int LongPostLength = 25_000;

    public static readonly string[] LongPostSubscriptions = ["Basic", "Premium", "PremiumPlus"];

    public static int MaxPostLength(Channel channel) =>
        channel.SubscriptionType is { } type && LongPostSubscriptions.Contains(type) ? LongPostLength : StandardPostLength;

    // A post going to several channels must fit the strictest of them.
    public static int MaxPostLength(IEnumerable<Channel> channels) => channels.Select(MaxPostLength).DefaultIfEmpty(StandardPostLength).Min();

    // What x.com's web client does that the cookie path carries (docs/x-web-path.md), named by the OAuth 2.0
    // scope the same action needs: posting, the timelines and search, likes, retweets, bookmarking, sending DMs.
    private static readonly string[] CookieScopes = ["tweet.write", "tweet.read", "users.read", "like.write", "bookmark.write", "dm.write"];

    public const string NotForCookieChannels = "not available for cookie-connected channels";

    // oauth2Scope: The scope an OAuth 2.0 token needs for the call: a channel connected before the
    // scope was asked for is told to reconnect instead of meeting X's 403.
    public static ChannelRefusal? Refusal(Channel channel, XCallContext context, string oauth2Scope, bool webPathOn = true)
    {
        if (channel.State == ChannelStates.Removed)
        {
            return new ChannelRefusal("One of the chosen channels is not in this workspace.", "removed", NeedsReconnect: false);
        }
        if (channel.State != ChannelStates.Active)
        {
            return new ChannelRefusal(
                $"@{channel.Handle} is {channel.State}: reconnect it first.", channel.State, NeedsReconnect: true);
        }
        return channel.Kind switch
        {
            ChannelKind.OAuth2 when channel.Scopes is { } granted && !granted.Split(' ').Contains(oauth2Scope) => new ChannelRefusal(
                $"@{channel.Handle} was connected without X's {oauth2Scope} permission. Reconnect it so X asks for that permission.",
                $"no {oauth2Scope} permission: reconnect", NeedsReconnect: false),
            ChannelKind.OAuth2 => null,
            ChannelKind.ApiKeys when context == XCallContext.UserRequired && channel.IsReadOnly => new ChannelRefusal(
                ChannelGuidance.ReadOnlyChannel(channel.Handle), "read-only: no access token", NeedsReconnect: false),
            ChannelKind.ApiKeys => null,
            ChannelKind.Cookie when !webPathOn => new ChannelRefusal(
                $"@{channel.Handle} is connected through a browser session (cookies), and " +
                $"{char.ToLowerInvariant(X.XWebState.DisabledMessage[0])}{X.XWebState.DisabledMessage[1..]}",
                "cookie path turned off by the admin", NeedsReconnect: false),
            ChannelKind.Cookie when !CookieScopes.Contains(oauth2Scope) => new ChannelRefusal(
                $"This is {NotForCookieChannels}: x.com's web path that @{channel.Handle} is connected through does not carry it in Sosyabot. " +
                "Connect the account through X's consent page (OAuth 2.0) to use it.",
                NotForCookieChannels, NeedsReconnect: false),
            ChannelKind.Cookie => null,
            _ => new ChannelRefusal(
                $"@{channel.Handle} is connected in a way Sosyabot does not know. Reconnect it.", "unknown connection", NeedsReconnect: false),
        };
    }
}
