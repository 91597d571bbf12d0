using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Queue;

// The posting schedule: the workspace's default times, a channel's own times, and what fills the next slots.
[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(SosyabotDbContext db, CurrentWorkspace current, PostingQueue queue, IReaderClock reader) : PageModel
{
    public const int UpcomingPerChannel = 8;

    // Monday first, as a week reads on a wall calendar in most places.
    public static readonly DayOfWeek[] Week =
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [BindProperty]
    public SlotInput Slot { get; set; } = new();

    public sealed class SlotInput
    {
        // Null: the workspace's default schedule.
        [Display(Name = "For")]
        public Guid? ChannelId { get; set; }

        public List<DayOfWeek> Days { get; set; } = [.. Week];

        [Display(Name = "Time"), Required(ErrorMessage = "Choose the time of day to post at.")]
        public TimeOnly? Time { get; set; }
    }

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<Channel> Channels { get; private set; } = [];

    // The default first (a placeholder when there is none yet), then each channel's own.
    public IReadOnlyList<(PostingSchedule Schedule, Channel? Channel)> Schedules { get; private set; } = [];

    public IReadOnlyList<ChannelQueue> Upcoming { get; private set; } = [];

    // False until the workspace's default schedule has been given a time.
    public bool DefaultSaved { get; private set; }

    // The zone a new schedule starts in: the one the person reads times in (Settings → Time and clock).
    public string ReaderZone { get; private set; } = "UTC";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [RequiresPermission(WorkspacePermission.Publish)]
    public async Task<IActionResult> OnPostAddSlotAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (Slot.Days.Count == 0 || Slot.Days.Any(d => !Enum.IsDefined(d)))
        {
            ModelState.AddModelError("Slot.Days", "Choose at least one day.");
        }
        if (Slot.ChannelId is { } channelId && !await ChannelsOf(workspace.WorkspaceId).AnyAsync(c => c.Id == channelId, cancellationToken))
        {
            ModelState.AddModelError("Slot.ChannelId", "That channel is not in this workspace.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        var time = Slot.Time!.Value;
        var added = await queue.AddSlotsAsync(workspace.WorkspaceId, Slot.ChannelId, Slot.Days, time, (await reader.ForCurrentAsync(cancellationToken)).Zone.Id, cancellationToken);
        StatusMessage = added == 0
            ? $"{time:HH:mm} was already in the schedule on those days."
            : $"Added {time:HH:mm} on {DaysText(Slot.Days)}.";
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.Publish)]
    public async Task<IActionResult> OnPostRemoveSlotAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (!await queue.RemoveSlotAsync(workspace.WorkspaceId, id, cancellationToken))
        {
            return NotFound();
        }
        StatusMessage = "Time removed. Posts already queued at it keep their time.";
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.Publish)]
    public async Task<IActionResult> OnPostZoneAsync(Guid id, string? timeZone, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (timeZone is not { Length: > 0 and <= 64 } || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone))
        {
            ErrorMessage = $"Unknown time zone '{timeZone}'. Use an IANA name such as Europe/Istanbul.";
            return RedirectToPage();
        }
        if (!await queue.SetZoneAsync(workspace.WorkspaceId, id, zone.Id, cancellationToken))
        {
            return NotFound();
        }
        StatusMessage = $"Times of this schedule are now in {zone.Id}. Posts already queued keep their time.";
        return RedirectToPage();
    }

    public static string DayName(DayOfWeek day) => day.ToString()[..3];

    public static string DaysText(IReadOnlyCollection<DayOfWeek> days) =>
        days.Distinct().Count() == 7 ? "every day" : string.Join(", ", Week.Where(days.Contains).Select(DayName));

    // How a slot reads: in its schedule's zone, where its times were set.
    public static string When(DateTimeOffset at, string zoneId)
    {
        var local = TimeZoneInfo.ConvertTime(at, SlotTimes.ZoneOrUtc(zoneId));
        return local.ToString("ddd yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }

    private IQueryable<Channel> ChannelsOf(Guid workspaceId) =>
        db.Channels.AsNoTracking().Where(c => c.WorkspaceId == workspaceId && c.State != ChannelStates.Disconnected && c.State != ChannelStates.Removed);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        Channels = await ChannelsOf(Workspace.WorkspaceId).OrderBy(c => c.Handle).ToListAsync(cancellationToken);
        var schedules = await queue.SchedulesAsync(Workspace.WorkspaceId, cancellationToken);
        var saved = schedules.FirstOrDefault(s => s.ChannelId is null);
        DefaultSaved = saved is not null;
        ReaderZone = (await reader.ForCurrentAsync(cancellationToken)).Zone.Id;
        var defaultSchedule = saved ?? new PostingSchedule { WorkspaceId = Workspace.WorkspaceId, TimeZone = ReaderZone };
        Schedules = [(defaultSchedule, null), .. Channels
            .Select(c => (Schedule: schedules.FirstOrDefault(s => s.ChannelId == c.Id), Channel: (Channel?)c))
            .Where(s => s.Schedule is { Slots.Count: > 0 })
            .Select(s => (s.Schedule!, s.Channel))];
        Upcoming = await queue.UpcomingAsync(Workspace.WorkspaceId, Channels, UpcomingPerChannel, cancellationToken);
    }
}
