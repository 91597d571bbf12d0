using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// The unread count the layout shows on every page: one count on the partial index of unread rows.
public sealed class NotificationBadge(SosyabotDbContext db, CurrentWorkspace current)
{
    public async Task<int> UnreadAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        return await db.Set<Notification>()
            .CountAsync(n => n.UserId == workspace.UserId && n.WorkspaceId == workspace.WorkspaceId && n.ReadAt == null, cancellationToken);
    }
}
