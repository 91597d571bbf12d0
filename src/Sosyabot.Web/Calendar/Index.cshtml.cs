using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Calendar;

// The workspace's posts on a month, week or list calendar in the reader's zone. Dragging a post or its
// Move… dialog reschedules it through PostLifecycle, under the same rules as the post page.
[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(
    SosyabotDbContext db, CurrentWorkspace current, DisplayPreferences preferences, CalendarFeed feed, PostLifecycle lifecycle, TimeProvider time)
    : PageModel
{
    public static readonly string[] Views = ["dayGridMonth", "timeGridWeek", "listWeek"];

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [BindProperty(SupportsGet = true, Name = "view")]
    public string? View { get; set; }

    [BindProperty(SupportsGet = true, Name = "date")]
    public DateOnly? Date { get; set; }

    [BindProperty(SupportsGet = true, Name = "channel")]
    public List<Guid> ChannelFilter { get; set; } = [];

    [BindProperty]
    public MoveInput Move { get; set; } = new();

    public EffectiveDisplay Display { get; private set; } = null!;

    public IReadOnlyList<(Guid Id, string Handle)> Channels { get; private set; } = [];

    public bool CanMove { get; private set; }

    public string InitialView => View is { } view && Views.Contains(view) ? view : Views[0];

    public sealed class MoveInput
    {
        public Guid PostId { get; set; }

        // A wall-clock time in the reader's zone, as a datetime-local field gives it.
        public DateTime? At { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        Display = await preferences.ForAsync(workspace, cancellationToken);
        CanMove = workspace.Can(WorkspacePermission.Publish);
        Channels = (await db.Channels.AsNoTracking()
                .Where(c => c.WorkspaceId == workspace.WorkspaceId && c.State != ChannelStates.Removed)
                .OrderBy(c => c.Handle)
                .Select(c => new { c.Id, c.Handle })
                .ToListAsync(cancellationToken))
            .Select(c => (c.Id, c.Handle)).ToList();
        ChannelFilter = [.. ChannelFilter.Where(id => Channels.Any(c => c.Id == id))];
        Date ??= DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), Display.Zone).DateTime);
    }

    // The calendar's event feed for the range it shows: FullCalendar sends start and end (ISO 8601).
    public async Task<IActionResult> OnGetFeedAsync(string? start, string? end, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var display = await preferences.ForAsync(workspace, cancellationToken);
        if (CalendarFeed.ParseInstant(start, display.Zone) is not { } from || CalendarFeed.ParseInstant(end, display.Zone) is not { } to
            || to <= from || to - from > TimeSpan.FromDays(CalendarFeed.MaxDays))
        {
            return BadRequest(new { error = $"Give start and end as ISO 8601 times, at most {CalendarFeed.MaxDays} days apart." });
        }
        var canMove = workspace.Can(WorkspacePermission.Publish);
        var range = await feed.RangeAsync(workspace.WorkspaceId, from, to, display.Zone, ChannelFilter, cancellationToken);
        var states = new PostDisplay(display.Zone, time.GetUtcNow(), display.Clock24);
        var events = range.Posts.Select(p => (object)new
        {
            id = p.Id.ToString(),
            title = Title(p),
            start = p.DueAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            url = Url.Page(p.IsDraft ? "/Publishing/Edit" : "/Publishing/Post", new { id = p.Id }),
            startEditable = canMove && p.WhyNotMovable is null,
            durationEditable = false,
            className = "post-" + p.Kind,
            extendedProps = new
            {
                kind = p.Kind,
                when = display.DateAndTime(p.DueAt),
                local = TimeZoneInfo.ConvertTime(p.DueAt, display.Zone).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture),
                text = p.FirstPart,
                parts = p.Parts,
                states = p.IsDraft
                    ? ["Draft: nothing goes to X until it is published."]
                    : p.Deliveries.Select(d => $"@{d.Handle}: {states.State(d)}").ToArray(),
                whyNotMovable = canMove ? p.WhyNotMovable : "Your role may look at posts, not move them.",
            },
        }).Concat(range.Overflow.Select(o => (object)new
        {
            id = "more-" + o.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            title = $"+{o.Hidden.ToString("N0", CultureInfo.InvariantCulture)} more",
            start = o.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            allDay = true,
            url = Url.Page("/Publishing/Index"),
            startEditable = false,
            className = "post-more",
            extendedProps = new { kind = "more", hidden = o.Hidden },
        }));
        return new JsonResult(events);
    }

    // The keyboard's way (and any browser's without scripts): the Move… dialog's form.
    [RequiresPermission(WorkspacePermission.Publish)]
    public async Task<IActionResult> OnPostMoveAsync(CancellationToken cancellationToken)
    {
        var outcome = await RescheduleAsync(Move.PostId, Move.At is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Unspecified) : null, null,
            cancellationToken);
        if (outcome.Error is { } error)
        {
            ErrorMessage = error;
        }
        else
        {
            StatusMessage = outcome.Message;
        }
        return outcome.NotFound ? NotFound() : RedirectToPage(new { view = InitialView, date = Date, channel = ChannelFilter });
    }

    // A drag in the calendar: the new start as FullCalendar gives it; answers JSON so the page can keep or revert the move.
    [RequiresPermission(WorkspacePermission.Publish)]
    public async Task<IActionResult> OnPostDropAsync(Guid postId, string? start, CancellationToken cancellationToken)
    {
        var outcome = await RescheduleAsync(postId, null, start, cancellationToken);
        return outcome.NotFound ? NotFound(new { error = "There is no such post in this workspace." })
            : outcome.Error is { } error ? new ConflictObjectResult(new { error })
            : new JsonResult(new { message = outcome.Message });
    }

    private sealed record Outcome(string? Message, string? Error, bool NotFound = false);

    private async Task<Outcome> RescheduleAsync(Guid postId, DateTime? local, string? instant, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var display = await preferences.ForAsync(workspace, cancellationToken);
        DateTimeOffset? at = local is { } wall
            ? display.Zone.IsInvalidTime(wall) ? null : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, display.Zone), TimeSpan.Zero)
            : CalendarFeed.ParseInstant(instant, display.Zone);
        if (at is not { } when)
        {
            return new Outcome(null, local is { } skipped
                ? $"{skipped:yyyy-MM-dd HH:mm} does not exist in {display.ZoneId}: the clocks skip it. Choose another time."
                : "Choose the new date and time.");
        }
        try
        {
            var post = await lifecycle.RescheduleAsync(workspace.WorkspaceId, postId, when, display.ZoneId, cancellationToken);
            return new Outcome($"Moved to {display.DateAndTime(post.DueAt)} ({display.ZoneId}).", null);
        }
        catch (PostNotFoundException)
        {
            return new Outcome(null, null, NotFound: true);
        }
        catch (PostConflictException ex)
        {
            return new Outcome(null, ex.Message);
        }
        catch (DraftRejectedException ex)
        {
            return new Outcome(null, string.Join(" ", ex.Problems));
        }
    }

    private static string Title(CalendarPost post)
    {
        var text = post.FirstPart.ReplaceLineEndings(" ");
        text = text.Length > 80 ? text[..79] + "…" : text;
        return post.Parts > 1 ? $"{text} (thread of {post.Parts})" : text;
    }
}
