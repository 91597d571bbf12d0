using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Channels;

// A member who leaves or is removed takes the X accounts they connected with them: the grant is revoked at X
// and the credentials deleted, so that the workspace (and its API tokens) can no longer act as those accounts.
public sealed class MemberChannels(SosyabotDbContext db, ChannelConnections connections) : IMemberChannels
{
    public async Task<IReadOnlyList<string>> DisconnectConnectedByAsync(Guid workspaceId, string userId, CancellationToken cancellationToken)
    {
        var channels = await db.Channels
            .Where(c => c.WorkspaceId == workspaceId && c.ConnectedByUserId == userId
                        && c.State != ChannelStates.Disconnected && c.State != ChannelStates.Removed)
            .ToListAsync(cancellationToken);
        foreach (var channel in channels)
        {
            await connections.DisconnectAsync(channel, "Disconnected when the member who connected it left the workspace.", cancellationToken);
        }
        return channels.Select(c => c.Handle).ToList();
    }
}
