using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

[RequestSizeLimit(MaxRequestBytes), RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes), ComposerUploadLimit]
[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(
    SosyabotDbContext db, CurrentWorkspace current, PublishingQueue queue, PostHistory history, ChannelAccessWarnings warnings,
    XIntegrationSettings settings, IReaderClock reader, TimeProvider time, IOptions<XOptions> x) : PageModel
{
    // The most a post can carry (four images, or one GIF) with room for the form around it: a larger request is
    // refused (413) before any of it is read. Uploads within it are kept in temporary files, not in memory.
    public const long MaxRequestBytes = ImageContent.MaxPostMediaBytes + 1024 * 1024;

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.WarningKey)]
    public string? WarningMessage { get; set; }

    [BindProperty]
    public ComposeInput Compose { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "view")]
    public string? View { get; set; }

    [BindProperty(SupportsGet = true, Name = "state")]
    public string? StateFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "channel")]
    public Guid? ChannelFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "cursor")]
    public string? Cursor { get; set; }

    public bool ShowsDrafts => View == "drafts";

    public IReadOnlyList<ChannelOption> Channels { get; private set; } = [];

    public HistoryPage History { get; private set; } = new([], null);

    public PostDisplay Display { get; private set; } = null!;

    public string XWebBaseUrl => x.Value.WebBaseUrl.TrimEnd('/');

    // Channels whose access ends before posts scheduled on them, with how many posts depend on each.
    public IReadOnlyList<(ChannelOption Channel, int Posts)> Expiring { get; private set; } = [];

    public ComposerView Composer => new(Compose, Channels, [], ComposerMode.New);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        try
        {
            await LoadAsync(cancellationToken);
        }
        catch (InvalidCursorException)
        {
            return RedirectToPage(new { view = View, state = StateFilter, channel = ChannelFilter });
        }
        return Page();
    }

    [RequiresPermission(WorkspacePermission.Publish)]

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (ModelState.IsValid && await Compose.ToDraftAsync(ModelState, cancellationToken) is { } draft)
        {
            try
            {
                if (Compose.SavesDraft)
                {
                    await queue.SaveDraftAsync(workspace.WorkspaceId, workspace.UserId, draft, cancellationToken);
                    StatusMessage = "Draft saved. Find it under Drafts, open it and publish it when it is ready.";
                    return RedirectToPage(new { view = "drafts" });
                }
                var post = await queue.QueueAsync(workspace.WorkspaceId, workspace.UserId, draft, cancellationToken);
                await AnnounceAsync(post, draft.ScheduledAt is not null || draft.InQueue, cancellationToken);
                return RedirectToPage();
            }
            catch (DraftRejectedException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    ModelState.AddModelError(string.Empty, problem);
                }
            }
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    // Says where the post went, and warns about channels whose access ends before it is due.
    internal async Task AnnounceAsync(Post post, bool scheduled, CancellationToken cancellationToken)
    {
        var channelIds = post.Deliveries.Select(d => d.ChannelId).ToList();
        var channels = await db.Channels.AsNoTracking().Where(c => channelIds.Contains(c.Id)).OrderBy(c => c.Handle).ToListAsync(cancellationToken);
        var handles = string.Join(", ", channels.Select(c => "@" + c.Handle));
        var display = (await PostDisplay.ForReaderAsync(reader, time, cancellationToken)).InPostZone(post);
        StatusMessage = scheduled
            ? $"{(Compose.AddsToQueue ? "Added to the queue" : "Scheduled")} for {handles} at {display.Time(post.DueAt)} ({display.ZoneName})."
            : $"Queued for {handles}: publishing now.";
        var problems = await warnings.ForAsync(channels, post.DueAt, cancellationToken);
        WarningMessage = problems.Count > 0 ? string.Join(" ", problems) : null;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        Display = await PostDisplay.ForReaderAsync(reader, time, cancellationToken);
        // A new post is scheduled in the reader's zone unless they pick another.
        Compose.TimeZone ??= Display.ZoneName;
        var integration = await settings.GetAsync(cancellationToken);
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspace.WorkspaceId && c.State != ChannelStates.Disconnected && c.State != ChannelStates.Removed)
            .OrderBy(c => c.Handle)
            .ToListAsync(cancellationToken);
        Channels = channels.Select(c => ChannelOption.From(c, integration)).ToList();

        // Counted in the database, one channel at a time: a channel may have thousands of posts queued, and
        // only the few channels whose access ends are asked about.
        var expiring = new List<(ChannelOption, int)>();
        foreach (var channel in Channels.Where(c => c.AccessEndsAt is not null))
        {
            var endsAt = channel.AccessEndsAt!.Value;
            var dependent = await db.Deliveries.CountAsync(d => d.ChannelId == channel.Id && d.DueAt > endsAt
                && (d.State == DeliveryStates.Queued || d.State == DeliveryStates.WaitingForRateLimit), cancellationToken);
            if (dependent > 0)
            {
                expiring.Add((channel, dependent));
            }
        }
        Expiring = expiring;

        var state = StateFilter is { Length: > 0 } s && DeliveryStates.All.Contains(s) ? s : null;
        History = await history.PageAsync(workspace.WorkspaceId, new HistoryFilter(ShowsDrafts, ShowsDrafts ? null : state, ChannelFilter), Cursor,
            PostHistory.DefaultPageSize, cancellationToken);
    }
}
