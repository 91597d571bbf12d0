using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// One post: its text, each channel's state, and everything a person can do with it.
[RequiresPermission(WorkspacePermission.View)]
public sealed class PostModel(CurrentWorkspace current, PostLifecycle lifecycle, IReaderClock reader, TimeProvider time, IOptions<XOptions> x) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public Post Post { get; private set; } = null!;

    public IReadOnlyList<PostLifecycle.MediaSummary> Media { get; private set; } = [];

    public PostDisplay Display { get; private set; } = null!;

    public string XWebBaseUrl => x.Value.WebBaseUrl.TrimEnd('/');

    [BindProperty]
    public DateTime? RescheduleLocal { get; set; }

    [BindProperty]
    public string? RescheduleTimeZone { get; set; }

    public bool Editable => PostLifecycle.WhyNotEditable(Post) is null;

    public bool Reschedulable => PostLifecycle.WhyNotReschedulable(Post) is null;

    // Every channel was cancelled: nothing is scheduled any more, whatever its due time says.
    public bool AllCancelled => Post.Deliveries.Count > 0 && Post.Deliveries.All(d => d.State == DeliveryStates.Cancelled);

    public int Pending => Post.Deliveries.Count(d => DeliveryStates.Pending.Contains(d.State) || d.State == DeliveryStates.Publishing);


    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
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
        Media = await lifecycle.MediaAsync(workspace.WorkspaceId, id, cancellationToken);
        Display = await PostDisplay.ForReaderAsync(reader, time, cancellationToken);
        return Page();
    }

    [RequiresPermission(WorkspacePermission.Publish)]

    public Task<IActionResult> OnPostCancelAsync(Guid id, Guid? channelId, CancellationToken cancellationToken) =>
        ActAsync(id, async workspaceId =>
        {
            var outcome = await lifecycle.CancelAsync(workspaceId, id, channelId, cancellationToken);
            StatusMessage = outcome.Stopping > 0
                ? $"Cancelled. {outcome.Stopping} channel{(outcome.Stopping == 1 ? " is" : "s are")} sending right now: " +
                  "the part in flight finishes, the rest stop."
                : "Cancelled: nothing more of this post goes to X.";
        });

    [RequiresPermission(WorkspacePermission.Publish)]

    public Task<IActionResult> OnPostRetryAsync(Guid id, Guid? channelId, CancellationToken cancellationToken) =>
        ActAsync(id, async workspaceId =>
        {
            var count = await lifecycle.RetryAsync(workspaceId, id, channelId, cancellationToken);
            StatusMessage = $"Queued again for {count} channel{(count == 1 ? "" : "s")}: publishing now.";
        });

    [RequiresPermission(WorkspacePermission.Publish)]

    public Task<IActionResult> OnPostPublishHeldAsync(Guid id, Guid channelId, CancellationToken cancellationToken) =>
        ActAsync(id, async workspaceId =>
        {
            await lifecycle.PublishHeldNowAsync(workspaceId, id, channelId, cancellationToken);
            StatusMessage = "Publishing now, late.";
        });

    [RequiresPermission(WorkspacePermission.Publish)]

    public Task<IActionResult> OnPostDeleteFromXAsync(Guid id, Guid? channelId, CancellationToken cancellationToken) =>
        ActAsync(id, async workspaceId =>
        {
            var count = await lifecycle.DeleteFromXAsync(workspaceId, id, channelId, cancellationToken);
            StatusMessage = $"Deleted from X on {count} channel{(count == 1 ? "" : "s")}. It stays here in the history.";
        });

    [RequiresPermission(WorkspacePermission.Publish)]

    public async Task<IActionResult> OnPostDuplicateAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        try
        {
            var duplicate = await lifecycle.DuplicateAsync(workspace.WorkspaceId, workspace.UserId, id, cancellationToken);
            StatusMessage = "A copy was saved as a draft: change what you like, then publish or schedule it." +
                            (duplicate.ImagesLeftBehind > 0
                                ? $" {duplicate.ImagesLeftBehind} image{(duplicate.ImagesLeftBehind == 1 ? " was" : "s were")} not kept after publishing: " +
                                  $"attach {(duplicate.ImagesLeftBehind == 1 ? "it" : "them")} again."
                                : "");
            return RedirectToPage("/Publishing/Edit", new { id = duplicate.Copy.Id });
        }
        catch (PostNotFoundException)
        {
            return NotFound();
        }
        catch (DraftRejectedException ex)
        {
            ErrorMessage = ex.Message;
            return RedirectToPage(new { id });
        }
    }

    [RequiresPermission(WorkspacePermission.Publish)]

    public async Task<IActionResult> OnPostDeleteDraftAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        try
        {
            await lifecycle.DeleteDraftAsync(workspace.WorkspaceId, id, cancellationToken);
        }
        catch (PostNotFoundException)
        {
            return NotFound();
        }
        catch (PostConflictException ex)
        {
            ErrorMessage = ex.Message;
            return RedirectToPage(new { id });
        }
        StatusMessage = "Draft deleted.";
        return RedirectToPage("/Publishing/Index", new { view = "drafts" });
    }

    [RequiresPermission(WorkspacePermission.Publish)]

    public Task<IActionResult> OnPostRescheduleAsync(Guid id, CancellationToken cancellationToken) =>
        ActAsync(id, async workspaceId =>
        {
            var zone = TimeZoneInfo.TryFindSystemTimeZoneById(RescheduleTimeZone ?? "", out var found) ? found : null;
            if (RescheduleLocal is not { } local || zone is null)
            {
                throw new DraftRejectedException(["Choose the new date and time, and a time zone such as Europe/Istanbul."]);
            }
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(unspecified))
            {
                throw new DraftRejectedException([$"{local:yyyy-MM-dd HH:mm} does not exist in {zone.Id}: the clocks skip it. Choose another time."]);
            }
            var post = await lifecycle.RescheduleAsync(
                workspaceId, id, new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero), zone.Id, cancellationToken);
            StatusMessage = $"Rescheduled for {(await PostDisplay.ForReaderAsync(reader, time, cancellationToken)).Time(post.DueAt)}.";
        });

    private async Task<IActionResult> ActAsync(Guid id, Func<Guid, Task> action)
    {
        var workspace = await current.GetAsync(HttpContext.RequestAborted);
        try
        {
            await action(workspace.WorkspaceId);
        }
        catch (PostNotFoundException)
        {
            return NotFound();
        }
        catch (Exception ex) when (ex is PostConflictException or ChannelNeedsReconnectException or ChannelRefusedException or RateBudgetSpentException)
        {
            ErrorMessage = ex is RateBudgetSpentException spent
                ? $"{spent.Message}: try again after {(await PostDisplay.ForReaderAsync(reader, time, HttpContext.RequestAborted)).Time(spent.ResetAt)}."
                : ex.Message;
        }
        catch (DraftRejectedException ex)
        {
            ErrorMessage = string.Join(" ", ex.Problems);
        }
        catch (XApiException ex)
        {
            ErrorMessage = $"X refused it{ChannelGuidance.Detail(ex)}.";
        }
        return RedirectToPage(new { id });
    }
}
