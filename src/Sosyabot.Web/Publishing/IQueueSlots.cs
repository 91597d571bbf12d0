using Sosyabot.Web.Channels;

namespace Sosyabot.Web.Publishing;

// The posting queue's next free time for channels, which the Queue feature implements. PublishingQueue asks inside
// the transaction that stores the post, so that no other "Add to queue" can be given the same time before it commits.
public interface IQueueSlots
{
    // Throws DraftRejectedException, saying where to set times up, when the channels have no free slot.
    Task<DateTimeOffset> TakeNextFreeAsync(Guid workspaceId, IReadOnlyList<Channel> channels, CancellationToken cancellationToken);
}
