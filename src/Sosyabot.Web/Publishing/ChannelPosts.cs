using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

/// <summary>What a channel's posts come to when the channel changes: how many depend on it, and cancelling them when it goes.</summary>
public sealed class ChannelPosts(SosyabotDbContext db)
{
    /// <summary>Posts not sent yet, per channel: what a disconnect holds and a removal cancels.</summary>
    public async Task<Dictionary<Guid, int>> PendingCountsAsync(IReadOnlyCollection<Guid> channelIds, CancellationToken cancellationToken) =>
        await db.Deliveries
            .Where(d => channelIds.Contains(d.ChannelId)
                        && (d.State == DeliveryStates.Queued || d.State == DeliveryStates.WaitingForRateLimit
                            || d.State == DeliveryStates.Held || d.State == DeliveryStates.Publishing))
            .GroupBy(d => d.ChannelId)
            .Select(g => new { ChannelId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.ChannelId, g => g.Count, cancellationToken);

    /// <summary>Cancels what the channel had not sent yet; its sent posts stay in the history.</summary>
    public async Task<int> CancelPendingAsync(Guid channelId, string reason, CancellationToken cancellationToken) =>
        await db.Deliveries
            .Where(d => d.ChannelId == channelId
                        && (d.State == DeliveryStates.Queued || d.State == DeliveryStates.WaitingForRateLimit
                            || d.State == DeliveryStates.Held || d.State == DeliveryStates.Failed))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryStates.Cancelled).SetProperty(d => d.Reason, reason), cancellationToken);
}
