using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// Edits a draft, or a post that has not gone out yet: text, images, channels and time.
[RequestSizeLimit(IndexModel.MaxRequestBytes), RequestFormLimits(MultipartBodyLengthLimit = IndexModel.MaxRequestBytes), ComposerUploadLimit]
[RequiresPermission(WorkspacePermission.Publish)]
public sealed class EditModel(
    SosyabotDbContext db, CurrentWorkspace current, PostLifecycle lifecycle, ChannelAccessWarnings warnings, XIntegrationSettings settings,
    IReaderClock reader, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.WarningKey)]
    public string? WarningMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [BindProperty]
    public ComposeInput Compose { get; set; } = new();

    public Post Post { get; private set; } = null!;

    public ComposerView Composer { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await LoadAsync(id, fill: true, cancellationToken) is { } problem)
        {
            return problem;
        }
        if (PostLifecycle.WhyNotEditable(Post) is { } refusal)
        {
            ErrorMessage = refusal;
            return RedirectToPage("/Publishing/Post", new { id });
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (Compose.AddsToQueue)
        {
            // The editor offers no Add to queue: a post keeps the time it has or is given one here.
            ModelState.AddModelError(string.Empty, "Add to queue is for new posts: choose a time for this one.");
        }
        if (ModelState.IsValid && await Compose.ToDraftAsync(ModelState, cancellationToken) is { } draft)
        {
            try
            {
                var post = await lifecycle.UpdateAsync(workspace.WorkspaceId, id, draft, Compose.Kept(), Compose.Version,
                    publish: !Compose.SavesDraft, cancellationToken);
                if (post.IsDraft)
                {
                    StatusMessage = "Draft saved.";
                    return RedirectToPage("/Publishing/Post", new { id });
                }
                var channels = await db.Channels.AsNoTracking()
                    .Where(c => draft.ChannelIds.Contains(c.Id) && c.WorkspaceId == workspace.WorkspaceId)
                    .ToListAsync(cancellationToken);
                var display = (await PostDisplay.ForReaderAsync(reader, time, cancellationToken)).InPostZone(post);
                StatusMessage = display.IsFuture(post.DueAt)
                    ? $"Saved: scheduled for {display.Time(post.DueAt)} ({display.ZoneName})."
                    : "Saved: publishing now.";
                var problems = await warnings.ForAsync(channels, post.DueAt, cancellationToken);
                WarningMessage = problems.Count > 0 ? string.Join(" ", problems) : null;
                return RedirectToPage("/Publishing/Post", new { id });
            }
            catch (PostNotFoundException)
            {
                return NotFound();
            }
            catch (PostConflictException ex)
            {
                ErrorMessage = ex.Message;
                return RedirectToPage("/Publishing/Post", new { id });
            }
            catch (DraftRejectedException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    ModelState.AddModelError(string.Empty, problem);
                }
            }
        }
        return await LoadAsync(id, fill: false, cancellationToken) ?? Page();
    }

    private async Task<IActionResult?> LoadAsync(Guid id, bool fill, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        try
        {
            Post = await lifecycle.GetAsync(workspace.WorkspaceId, id, cancellationToken);
        }
        catch (PostNotFoundException)
        {
            return NotFound();
        }
        var media = await lifecycle.MediaAsync(workspace.WorkspaceId, id, cancellationToken);
        if (fill)
        {
            var channelIds = Post.IsDraft
                ? Post.DraftChannelIds
                : Post.Deliveries.Where(d => d.State != DeliveryStates.Cancelled).Select(d => d.ChannelId).ToList();
            Compose = ComposeInput.From(Post, media, channelIds, time.GetUtcNow());
        }
        var integration = await settings.GetAsync(cancellationToken);
        var waitingOn = Post.Deliveries.Where(d => d.State != DeliveryStates.Cancelled).Select(d => d.ChannelId).ToHashSet();
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspace.WorkspaceId && c.State != ChannelStates.Removed
                        && (c.State != ChannelStates.Disconnected || waitingOn.Contains(c.Id)))
            .OrderBy(c => c.Handle)
            .ToListAsync(cancellationToken);
        Composer = new ComposerView(Compose, channels.Select(c => ChannelOption.From(c, integration, waitingOn.Contains(c.Id))).ToList(), media,
            Post.IsDraft ? ComposerMode.EditDraft : ComposerMode.EditScheduled);
        return null;
    }
}
