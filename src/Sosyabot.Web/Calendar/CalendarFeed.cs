using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Web.Calendar;

// One post as the calendar places it.
public sealed record CalendarPost(
    Guid Id, DateTimeOffset DueAt, bool IsDraft, string FirstPart, int Parts, string Kind, string? WhyNotMovable,
    IReadOnlyList<HistoryDelivery> Deliveries, IReadOnlyList<Guid> DraftChannelIds);

// A day that holds more posts than the calendar shows: the first ones are listed, the rest only counted.
public sealed record CalendarOverflow(DateOnly Day, int Hidden);

public sealed record CalendarRange(IReadOnlyList<CalendarPost> Posts, IReadOnlyList<CalendarOverflow> Overflow);

// The posts of a workspace between two instants, by day of the reader's zone, for the calendar. A busy workspace
// can hold thousands of posts in a month: each day shows its first MaxPerDay posts and counts the rest (the page
// says "+N more" and links to the history), so a month costs at most 42 short reads of the (workspace_id, due_at)
// index, whatever the workspace holds.
public sealed class CalendarFeed(SosyabotDbContext db)
{
    public const int MaxPerDay = 12;

    // A month view spans six weeks; a little more is allowed for zones and odd views, no more.
    public const int MaxDays = 45;

    // Per day of the range (its start and end instants), how many posts it holds and its first ones in time order.
    // A channel filter keeps the posts that go to one of the channels (or, for drafts, were meant for one).
    public const string DaysQuery = """
        SELECT d.day_start, c.total, p.id, p.due_at, p.is_draft
        FROM unnest(@starts, @ends) AS d(day_start, day_end)
        CROSS JOIN LATERAL (
            SELECT count(*) AS total FROM posts q
            WHERE q.workspace_id = @workspace AND q.due_at >= d.day_start AND q.due_at < d.day_end
              AND (cardinality(@channels) = 0
                   OR (q.is_draft AND q.draft_channel_ids && @channels)
                   OR (NOT q.is_draft AND EXISTS (SELECT 1 FROM deliveries dl WHERE dl.post_id = q.id AND dl.channel_id = ANY (@channels))))
        ) c
        CROSS JOIN LATERAL (
            SELECT q.id, q.due_at, q.is_draft FROM posts q
            WHERE q.workspace_id = @workspace AND q.due_at >= d.day_start AND q.due_at < d.day_end
              AND (cardinality(@channels) = 0
                   OR (q.is_draft AND q.draft_channel_ids && @channels)
                   OR (NOT q.is_draft AND EXISTS (SELECT 1 FROM deliveries dl WHERE dl.post_id = q.id AND dl.channel_id = ANY (@channels))))
            ORDER BY q.due_at, q.id
            LIMIT @per_day
        ) p
        ORDER BY p.due_at, p.id
        """;

    // Midnight to midnight in zone for each local day from the one holding start to the one before end.
    public static IReadOnlyList<(DateOnly Day, DateTimeOffset Start, DateTimeOffset End)> Days(DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone)
    {
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(start, zone).DateTime);
        var last = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(end - TimeSpan.FromTicks(1), zone).DateTime);
        var days = new List<(DateOnly, DateTimeOffset, DateTimeOffset)>();
        for (var day = first; day <= last && days.Count <= MaxDays; day = day.AddDays(1))
        {
            days.Add((day, Midnight(day, zone), Midnight(day.AddDays(1), zone)));
        }
        return days;
    }

    // A day's first instant: midnight, or the first hour after it where the clocks skip midnight (a spring-forward there).
    public static DateTimeOffset Midnight(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    public static void AddParameters(
        DbParameterCollection parameters, Guid workspaceId, IReadOnlyList<(DateOnly Day, DateTimeOffset Start, DateTimeOffset End)> days,
        IReadOnlyList<Guid> channelIds)
    {
        parameters.Add(new NpgsqlParameter("workspace", workspaceId));
        parameters.Add(new NpgsqlParameter("starts", days.Select(d => d.Start.UtcDateTime).ToArray()));
        parameters.Add(new NpgsqlParameter("ends", days.Select(d => d.End.UtcDateTime).ToArray()));
        parameters.Add(new NpgsqlParameter("channels", channelIds.ToArray()));
        parameters.Add(new NpgsqlParameter("per_day", MaxPerDay));
    }

    public async Task<CalendarRange> RangeAsync(
        Guid workspaceId, DateTimeOffset start, DateTimeOffset end, TimeZoneInfo zone, IReadOnlyList<Guid> channelIds, CancellationToken cancellationToken)
    {
        var days = Days(start, end, zone);
        var rows = new List<(DateTimeOffset DayStart, long Total, Guid Id)>();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = DaysQuery;
            AddParameters(command.Parameters, workspaceId, days, channelIds);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1), reader.GetGuid(2)));
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        var overflow = rows.GroupBy(r => r.DayStart)
            .Select(g => (g.Key, Hidden: (int)g.First().Total - g.Count()))
            .Where(g => g.Hidden > 0)
            .Select(g => new CalendarOverflow(days.First(d => d.Start == g.Key).Day, g.Hidden))
            .ToList();
        var ids = rows.Select(r => r.Id).ToList();
        var posts = await db.Posts.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && p.WorkspaceId == workspaceId)
            .OrderBy(p => p.DueAt).ThenBy(p => p.Id)
            .Select(p => new Post
            {
                Id = p.Id,
                WorkspaceId = p.WorkspaceId,
                CreatedByUserId = p.CreatedByUserId,
                DueAt = p.DueAt,
                IsDraft = p.IsDraft,
                DraftChannelIds = p.DraftChannelIds,
                Parts = p.Parts,
                Deliveries = p.Deliveries.Select(d => new Delivery
                {
                    ChannelId = d.ChannelId,
                    State = d.State,
                    Reason = d.Reason,
                    DueAt = d.DueAt,
                    PublishedAt = d.PublishedAt,
                    TweetIds = d.TweetIds,
                    HeldAt = d.HeldAt,
                    SendingPart = d.SendingPart,
                    Channel = new Channel
                    {
                        Id = d.Channel.Id,
                        XUserId = d.Channel.XUserId,
                        Handle = d.Channel.Handle,
                        DisplayName = d.Channel.DisplayName,
                        AvatarUrl = d.Channel.AvatarUrl,
                        State = d.Channel.State,
                        ConnectedByUserId = d.Channel.ConnectedByUserId,
                        ConnectedAt = d.Channel.ConnectedAt,
                    },
                }).ToList(),
            })
            .ToListAsync(cancellationToken);
        return new CalendarRange(
            posts.Select(p => new CalendarPost(
                p.Id, p.DueAt, p.IsDraft, p.Parts.FirstOrDefault() ?? "", p.Parts.Count, Kind(p), PostLifecycle.WhyNotReschedulable(p),
                p.Deliveries.Select(HistoryDelivery.From).OrderBy(d => d.Handle, StringComparer.OrdinalIgnoreCase).ToList(), p.DraftChannelIds)).ToList(),
            overflow);
    }

    // One word for the calendar's colour: what a person most needs to notice about the post.
    public static string Kind(Post post)
    {
        if (post.IsDraft)
        {
            return "draft";
        }
        var states = post.Deliveries.Select(d => d.State).ToHashSet();
        return states.Contains(DeliveryStates.Failed) ? "failed"
            : states.Contains(DeliveryStates.Held) ? "held"
            : states.Contains(DeliveryStates.Publishing) ? "publishing"
            : states.Overlaps([DeliveryStates.Queued, DeliveryStates.WaitingForRateLimit]) ? "scheduled"
            : states.Contains(DeliveryStates.Published) ? "published"
            : states.Contains(DeliveryStates.Deleted) ? "deleted"
            : "cancelled";
    }

    // An instant the calendar sent: with an offset as given, without one as a wall-clock time in zone.
    public static DateTimeOffset? ParseInstant(string? value, TimeZoneInfo zone)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 40)
        {
            return null;
        }
        if (!DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed))
        {
            return null;
        }
        if (parsed.Kind != DateTimeKind.Unspecified)
        {
            return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var withOffset) ? withOffset : null;
        }
        return zone.IsInvalidTime(parsed) ? null : new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(parsed, zone), TimeSpan.Zero);
    }
}
