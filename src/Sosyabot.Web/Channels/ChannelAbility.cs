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

    public static ChannelRefusal? ToPublish(Channel channel) => Refusal(channel, XCallContext.UserRequired, PostScope);

    // oauth2Scope: The scope an OAuth 2.0 token needs for the call: a channel connected before the
    // scope was asked for is told to reconnect instead of meeting X's 403.
    public static ChannelRefusal? Refusal(Channel channel, XCallContext context, string oauth2Scope)
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
            _ => new ChannelRefusal(
                $"@{channel.Handle} is connected through a browser session, which cannot do this yet. Connect it through X's consent page or with API keys.",
                "browser-session channels cannot publish yet", NeedsReconnect: false),
        };
    }
}
