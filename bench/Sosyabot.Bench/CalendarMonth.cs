using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Sosyabot.Web.Calendar;
using Sosyabot.Web.Data;

namespace Sosyabot.Bench;

// The calendar's month view of a busy workspace: HistoryPaging's data (posts a year back to a week ahead, a
// neighbour workspace as large), read with the app's own CalendarFeed.RangeAsync for the six weeks a month view
// shows, on a pooled context as a request does (no HTTP, no JSON: the figure is the queries').
internal static class CalendarMonth
{
    private const int Requests = 200;
    private const int WarmUp = 20;

    public static async Task<List<(string What, string Figure, string Goal)>> RunAsync(string database, int postsPerWorkspace)
    {
        var workspace = Guid.CreateVersion7();
        var neighbour = Guid.CreateVersion7();
        var seeding = Stopwatch.StartNew();
        await HistoryPaging.SeedAsync(database, workspace, neighbour, postsPerWorkspace);
        seeding.Stop();

        var options = new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options;
        var contexts = new PooledDbContextFactory<SosyabotDbContext>(options);
        // Last month's view: full days of sent posts. Six weeks from the Monday on or before its first day.
        var today = DateTime.UtcNow.Date;
        var first = new DateTime(today.Year, today.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-1);
        var start = new DateTimeOffset(first.AddDays(-(((int)first.DayOfWeek + 6) % 7)), TimeSpan.Zero);
        var end = start.AddDays(42);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Istanbul");

        var timings = new List<double>(Requests);
        CalendarRange? range = null;
        for (var i = 0; i < WarmUp + Requests; i++)
        {
            var watch = Stopwatch.StartNew();
            await using (var db = await contexts.CreateDbContextAsync())
            {
                range = await new CalendarFeed(db).RangeAsync(workspace, start, end, zone, [], CancellationToken.None);
            }
            if (i >= WarmUp)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        int inRange;
        string plan;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            var days = CalendarFeed.Days(start, end, zone);
            var (from, to) = (days[0].Start, days[^1].End);
            inRange = await db.Posts.CountAsync(p => p.WorkspaceId == workspace && p.DueAt >= from && p.DueAt < to);
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "EXPLAIN (ANALYZE, BUFFERS) " + CalendarFeed.DaysQuery;
            CalendarFeed.AddParameters(command.Parameters, workspace, days, []);
            await using var reader = await command.ExecuteReaderAsync();
            var lines = new List<string>();
            while (await reader.ReadAsync())
            {
                lines.Add(reader.GetString(0));
            }
            plan = string.Join("\n", lines);
        }
        Console.WriteLine($"-- EXPLAIN (ANALYZE, BUFFERS) of the calendar's days query, month view, {postsPerWorkspace:N0} posts");
        Console.WriteLine(plan);
        Console.WriteLine();

        return
        [
            ("calendar: set-up", string.Create(CultureInfo.InvariantCulture,
                $"{postsPerWorkspace:N0} posts in the measured workspace and {postsPerWorkspace:N0} in another, seeded and analysed in " +
                $"{seeding.Elapsed.TotalSeconds:0.0} s; month view {start:yyyy-MM-dd} to {end:yyyy-MM-dd} (42 days, Europe/Istanbul) " +
                $"holds {inRange:N0} posts, of which {range!.Posts.Count:N0} listed ({CalendarFeed.MaxPerDay} a day) " +
                $"and {range.Overflow.Sum(o => o.Hidden):N0} counted as \"+N more\"; " +
                $"{Requests} timed reads after {WarmUp} untimed"), ""),
            ($"calendar month view, {postsPerWorkspace:N0} posts (p50 / p99)",
                string.Create(CultureInfo.InvariantCulture,
                    $"{HistoryPaging.Pct(timings, 0.5):0.00} / {HistoryPaging.Pct(timings, 0.99):0.00} ms"), "< 100 ms"),
            ($"calendar days query plan, {postsPerWorkspace:N0} posts", HistoryPaging.KeyLines(plan), "an index per day, no sort of the month"),
        ];
    }
}
