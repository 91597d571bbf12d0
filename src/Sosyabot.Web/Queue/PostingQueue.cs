using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Web.Queue;

// A slot on the way, and the post that fills it on a channel (null: free).
public sealed record UpcomingSlot(DateTimeOffset At, Guid? PostId, string? PostText);

public sealed record ChannelQueue(Channel Channel, PostingSchedule? Schedule, IReadOnlyList<UpcomingSlot> Slots);

// The workspace's posting schedules and the queue they make. A slot is taken on a channel while a post not yet sent
// there (DeliveryStates.Pending) is due at that instant, whoever scheduled it and however: cancelling, deleting,
// rescheduling or publishing a post frees its slot without anything to update here.
public sealed class PostingQueue(SosyabotDbContext db, TimeProvider time) : IQueueSlots
{
    public const string PagePath = "Publishing → Queue";

    // The earliest slot after now that every channel's schedule has and none of them has taken. A post goes out at
    // one instant on all its channels, so a post for several channels needs a time all their schedules share.
    public async Task<DateTimeOffset> TakeNextFreeAsync(Guid workspaceId, IReadOnlyList<Channel> channels, CancellationToken cancellationToken)
    {
        await LockAsync(workspaceId, cancellationToken);
        var now = time.GetUtcNow();
        var schedules = await SchedulesAsync(workspaceId, cancellationToken);
        var problems = new List<string>();
        List<DateTimeOffset>? common = null;
        foreach (var channel in channels.OrderBy(c => c.Handle, StringComparer.OrdinalIgnoreCase))
        {
            if (ScheduleOf(schedules, channel.Id) is not { } schedule)
            {
                problems.Add($"@{channel.Handle} has no posting times yet: add them on the Queue page ({PagePath}).");
                continue;
            }
            var instants = Instants(schedule, now).ToList();
            common = common is null ? instants : [.. common.Intersect(instants)];
        }
        PublishingQueue.ThrowIfProblems(problems);
        if (common is not { Count: > 0 })
        {
            PublishingQueue.ThrowIfProblems([channels.Count == 0 ? "Choose at least one channel."
                : "The chosen channels have no posting time in common: add them to the queue one at a time, " +
                  $"or give them a shared time on the Queue page ({PagePath})."]);
        }
        var taken = await TakenAsync(channels.Select(c => c.Id).ToList(), now, cancellationToken);
        foreach (var at in common!)
        {
            if (!taken.Contains(at))
            {
                return at;
            }
        }
        PublishingQueue.ThrowIfProblems([$"Every posting time of the next {SlotTimes.HorizonDays} days is taken on the chosen channels: " +
            $"add times on the Queue page ({PagePath}) or schedule the post for a time of your choice."]);
        return default;
    }

    public Task<List<PostingSchedule>> SchedulesAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.PostingSchedules.AsNoTracking().Include(s => s.Slots).Where(s => s.WorkspaceId == workspaceId).ToListAsync(cancellationToken);

    // A channel's own schedule while it has a slot, else the workspace's default; null when neither has one.
    public static PostingSchedule? ScheduleOf(IEnumerable<PostingSchedule> schedules, Guid channelId)
    {
        var list = schedules.Where(s => s.Slots.Count > 0).ToList();
        return list.FirstOrDefault(s => s.ChannelId == channelId) ?? list.FirstOrDefault(s => s.ChannelId is null);
    }

    public static IEnumerable<DateTimeOffset> Instants(PostingSchedule schedule, DateTimeOffset after) =>
        SlotTimes.After([.. schedule.Slots.Select(s => (s.Day, s.Time))], SlotTimes.ZoneOrUtc(schedule.TimeZone), after);

    // The next count slots of each channel and the posts that fill them.
    public async Task<IReadOnlyList<ChannelQueue>> UpcomingAsync(
        Guid workspaceId, IReadOnlyList<Channel> channels, int count, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var schedules = await SchedulesAsync(workspaceId, cancellationToken);
        var slots = channels.ToDictionary(c => c.Id, c => ScheduleOf(schedules, c.Id) is { } s ? Instants(s, now).Take(count).ToList() : []);
        var last = slots.Values.SelectMany(s => s).DefaultIfEmpty(now).Max();
        var ids = channels.Select(c => c.Id).ToList();
        var filled = await db.Deliveries.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && ids.Contains(d.ChannelId) && DeliveryStates.Pending.Contains(d.State)
                        && d.Post.DueAt > now && d.Post.DueAt <= last)
            .OrderBy(d => d.Post.CreatedAt)
            .Select(d => new { d.ChannelId, d.PostId, d.Post.DueAt, d.Post.Parts })
            .ToListAsync(cancellationToken);
        return channels.Select(c => new ChannelQueue(c, ScheduleOf(schedules, c.Id), slots[c.Id].Select(at =>
        {
            var post = filled.FirstOrDefault(f => f.ChannelId == c.Id && f.DueAt == at);
            return new UpcomingSlot(at, post?.PostId, post is null ? null : post.Parts.FirstOrDefault() ?? "");
        }).ToList())).ToList();
    }

    // Adds time on days to the default schedule (channelId null) or to a channel's own; a new schedule takes newZone.
    public async Task<int> AddSlotsAsync(
        Guid workspaceId, Guid? channelId, IReadOnlyCollection<DayOfWeek> days, TimeOnly at, string newZone, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(workspaceId, cancellationToken);
        var schedule = await db.PostingSchedules.Include(s => s.Slots)
            .SingleOrDefaultAsync(s => s.WorkspaceId == workspaceId && s.ChannelId == channelId, cancellationToken);
        if (schedule is null)
        {
            // A channel's own schedule starts in the default's zone, the one the workspace already thinks in.
            var zone = channelId is null ? null
                : await db.PostingSchedules.Where(s => s.WorkspaceId == workspaceId && s.ChannelId == null).Select(s => s.TimeZone)
                    .SingleOrDefaultAsync(cancellationToken);
            schedule = new PostingSchedule { WorkspaceId = workspaceId, ChannelId = channelId, TimeZone = zone ?? newZone };
            db.PostingSchedules.Add(schedule);
        }
        var minute = new TimeOnly(at.Hour, at.Minute);
        var added = 0;
        foreach (var day in days.Distinct().Where(d => !schedule.Slots.Any(s => s.Day == d && s.Time == minute)))
        {
            // Added through the set: a new row with its key already set, found in a tracked schedule's list, would be taken for an existing one.
            db.PostingSlots.Add(new PostingSlot { ScheduleId = schedule.Id, Day = day, Time = minute });
            added++;
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    public async Task<bool> RemoveSlotAsync(Guid workspaceId, Guid slotId, CancellationToken cancellationToken) =>
        await db.PostingSlots
            .Where(s => s.Id == slotId && db.PostingSchedules.Any(p => p.Id == s.ScheduleId && p.WorkspaceId == workspaceId))
            .ExecuteDeleteAsync(cancellationToken) > 0;

    public async Task<bool> SetZoneAsync(Guid workspaceId, Guid scheduleId, string zone, CancellationToken cancellationToken) =>
        await db.PostingSchedules.Where(s => s.Id == scheduleId && s.WorkspaceId == workspaceId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.TimeZone, zone), cancellationToken) > 0;

    // Serializes whatever reads and takes the workspace's slots, until the caller's transaction ends.
    private async Task LockAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("The posting queue's lock is taken inside the transaction that uses the slot.");
        }
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"posting-queue:" + workspaceId}, 0))", cancellationToken);
    }

    private async Task<HashSet<DateTimeOffset>> TakenAsync(List<Guid> channelIds, DateTimeOffset now, CancellationToken cancellationToken) =>
        [.. await db.Deliveries
            .Where(d => channelIds.Contains(d.ChannelId) && DeliveryStates.Pending.Contains(d.State) && d.Post.DueAt > now)
            .Select(d => d.Post.DueAt)
            .Distinct()
            .ToListAsync(cancellationToken)];
}
