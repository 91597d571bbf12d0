using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

// What a channel's posts come to when the channel changes: how many depend on it, and cancelling them when it goes.
public sealed class ChannelPosts(SosyabotDbContext db) : IChannelPosts
{
    public async Task<Dictionary<Guid, int>> PendingCountsAsync(IReadOnlyCollection<Guid> channelIds, CancellationToken cancellationToken) =>
        await db.Deliveries
            .Where(d => channelIds.Contains(d.ChannelId) && (DeliveryStates.Pending.Contains(d.State) || d.State == DeliveryStates.Publishing))
            .GroupBy(d => d.ChannelId)
            .Select(g => new { ChannelId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.ChannelId, g => g.Count, cancellationToken);

    public async Task<int> CancelPendingAsync(Guid channelId, string reason, CancellationToken cancellationToken)
    {
        var cancelled = await db.Deliveries
            .Where(d => d.ChannelId == channelId && DeliveryStates.Pending.Contains(d.State))
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryStates.Cancelled).SetProperty(d => d.Reason, reason), cancellationToken);
        var stopping = await db.Deliveries
            .Where(d => d.ChannelId == channelId && d.State == DeliveryStates.Publishing)
            .ExecuteUpdateAsync(u => u.SetProperty(d => d.CancelRequested, true), cancellationToken);
        return cancelled + stopping;
    }
}
