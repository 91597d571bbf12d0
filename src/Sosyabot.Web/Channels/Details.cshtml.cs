using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

[RequiresPermission(WorkspacePermission.View)]
public sealed class DetailsModel(
    SosyabotDbContext db, CurrentWorkspace current, ChannelConnections connections, IChannelPosts posts, XIntegrationSettings settings) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public Channel Channel { get; private set; } = null!;

    public string? ConnectedBy { get; private set; }

    public WorkspaceContext Workspace { get; private set; } = null!;

    // Whether the caller may reconnect, disconnect or remove this channel (the buttons are hidden otherwise).
    public bool MayManage { get; private set; }

    // Posts not sent yet: held by a disconnect, cancelled by a removal.
    public int PendingPosts { get; private set; }

    public DateTimeOffset? AccessEndsAt { get; private set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } channel)
        {
            return NotFound();
        }
        Channel = channel;
        Workspace = await current.GetAsync(cancellationToken);
        MayManage = WorkspacePermissions.MayManageChannel(Workspace, channel.ConnectedByUserId);
        ConnectedBy = await db.Users.Where(u => u.Id == channel.ConnectedByUserId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        PendingPosts = (await posts.PendingCountsAsync([channel.Id], cancellationToken)).GetValueOrDefault(channel.Id);
        AccessEndsAt = ChannelAccess.EndsAt(channel, await settings.GetAsync(cancellationToken));
        return Page();
    }

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostCheckAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } channel)
        {
            return NotFound();
        }
        try
        {
            await connections.CheckAsync(channel, cancellationToken);
            StatusMessage = $"@{channel.Handle} is connected and X answers for it.";
        }
        catch (ChannelConnectException ex)
        {
            ErrorMessage = ex.Message;
        }
        return RedirectToPage(new { id });
    }

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostReconnectAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } channel)
        {
            return NotFound();
        }
        if (!await MayManageAsync(channel, cancellationToken))
        {
            return Forbid();
        }
        var workspace = await current.GetAsync(cancellationToken);
        var properties = await connections.BeginOAuthAsync(workspace.WorkspaceId, workspace.UserId, channel.Id, cancellationToken);
        return Challenge(properties, XConnectDefaults.Scheme);
    }

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostDisconnectAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } channel)
        {
            return NotFound();
        }
        if (!await MayManageAsync(channel, cancellationToken))
        {
            return Forbid();
        }
        var warning = await connections.DisconnectAsync(channel, cancellationToken);
        var pending = (await posts.PendingCountsAsync([channel.Id], cancellationToken)).GetValueOrDefault(channel.Id);
        StatusMessage = $"@{channel.Handle} is disconnected and its credentials are deleted." +
                        (pending > 0 ? $" Its {pending} scheduled post{(pending == 1 ? " is" : "s are")} held until you reconnect it." : "") +
                        (warning is null ? "" : " " + warning);
        return RedirectToPage(new { id });
    }

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostRemoveAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } channel)
        {
            return NotFound();
        }
        if (!await MayManageAsync(channel, cancellationToken))
        {
            return Forbid();
        }
        if (channel.State != ChannelStates.Disconnected)
        {
            ErrorMessage = "Disconnect the channel before removing it.";
            return RedirectToPage(new { id });
        }
        // The row stays (state removed) so that what it published keeps its place in the history.
        channel.ForgetCredentials();
        channel.State = ChannelStates.Removed;
        channel.StateReason = "Removed from the workspace.";
        await db.SaveChangesAsync(cancellationToken);
        var cancelled = await posts.CancelPendingAsync(channel.Id, $"Cancelled: @{channel.Handle} was removed from the workspace.", cancellationToken);
        StatusMessage = $"@{channel.Handle} was removed from this workspace" +
                        (cancelled > 0
                            ? $"; its {cancelled} post{(cancelled == 1 ? " that had" : "s that had")} not gone out " +
                              $"{(cancelled == 1 ? "was" : "were")} cancelled."
                            : ".") +
                        " Its published posts stay in the history.";
        return RedirectToPage("/Channels/Index");
    }

    // Editors reconnect, disconnect and remove only the channels they connected; admins and owners any.
    private async Task<bool> MayManageAsync(Channel channel, CancellationToken cancellationToken) =>
        WorkspacePermissions.MayManageChannel(await current.GetAsync(cancellationToken), channel.ConnectedByUserId);

    private async Task<Channel?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        return await db.Channels.SingleOrDefaultAsync(
            c => c.Id == id && c.WorkspaceId == workspace.WorkspaceId && c.State != ChannelStates.Removed, cancellationToken);
    }
}
