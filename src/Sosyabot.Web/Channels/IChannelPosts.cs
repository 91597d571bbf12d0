namespace Sosyabot.Web.Channels;

// What the channel pages need to know about a channel's posts: how many a disconnect holds and a removal
// cancels. Publishing answers it, so that Channels, which Publishing builds on, does not depend on Publishing.
public interface IChannelPosts
{
    Task<Dictionary<Guid, int>> PendingCountsAsync(IReadOnlyCollection<Guid> channelIds, CancellationToken cancellationToken);

    // Cancels what the channel has not sent yet (a thread in flight stops after its part); returns how many posts.
    Task<int> CancelPendingAsync(Guid channelId, string reason, CancellationToken cancellationToken);
}
