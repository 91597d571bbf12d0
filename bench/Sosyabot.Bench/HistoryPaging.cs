using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Bench;

// History paging: one workspace with many posts (1 or 2 deliveries each, in mixed states), a second workspace
// with as many so that the index has to tell them apart, then pages read with the app's own
// PostHistory.PageAsync on a pooled context, as a request does (no HTTP: the figure is the
// query's, not the JSON's). A page late in the history should cost what the first does.
internal static class HistoryPaging
{
    private const int Requests = 200;
    private const int WarmUp = 20;
    private const string UserId = "history-bench";

    public static async Task<List<(string What, string Figure, string Goal)>> RunAsync(string database, int postsPerWorkspace)
    {
        var workspace = Guid.CreateVersion7();
        var neighbour = Guid.CreateVersion7();
        var seeding = Stopwatch.StartNew();
        await SeedAsync(database, workspace, neighbour, postsPerWorkspace);
        seeding.Stop();

        var options = new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options;
        var contexts = new PooledDbContextFactory<SosyabotDbContext>(options);
        var size = PostHistory.DefaultPageSize;
        var all = new HistoryFilter(Drafts: false, State: null, ChannelId: null);
        var published = new HistoryFilter(Drafts: false, State: DeliveryStates.Published, ChannelId: null);

        string? second;
        await using (var db = await contexts.CreateDbContextAsync())
        {
            second = (await new PostHistory(db).PageAsync(workspace, all, null, size, CancellationToken.None)).NextCursor;
        }
        var listed = await CountAsync(contexts, workspace, all);
        var listedPublished = await CountAsync(contexts, workspace, published);
        // The cursor a person would hold after walking to that row: the (due_at, id) of the row just before the page.
        var middle = await CursorBeforeRowAsync(contexts, workspace, all, listed / 2);
        var last = await CursorBeforeRowAsync(contexts, workspace, all, listed - size);
        var lastPublished = await CursorBeforeRowAsync(contexts, workspace, published, listedPublished - size);

        var results = new List<(string What, string Figure, string Goal)>
        {
            ($"history: set-up", string.Create(CultureInfo.InvariantCulture,
                $"{postsPerWorkspace:N0} posts in the measured workspace ({listed:N0} listed, {listedPublished:N0} with a published delivery) " +
                $"and {postsPerWorkspace:N0} in another; seeded and analysed in {seeding.Elapsed.TotalSeconds:0.0} s; " +
                $"{Requests} timed requests per page after {WarmUp} untimed, page size {size}"), ""),
        };
        var cases = new (string Name, HistoryFilter Filter, string? Cursor)[]
        {
            ("first page", all, null),
            ("second page", all, second),
            ($"middle page (after row {listed / 2:N0})", all, middle),
            ($"last page (after row {listed - size:N0})", all, last),
            ("state=published, first page", published, null),
            ($"state=published, last page (after row {listedPublished - size:N0})", published, lastPublished),
        };
        foreach (var (name, filter, cursor) in cases)
        {
            var timings = await TimeAsync(contexts, workspace, filter, cursor, size);
            results.Add(($"history {name}, {postsPerWorkspace:N0} posts (p50 / p99)",
                string.Create(CultureInfo.InvariantCulture, $"{Pct(timings, 0.5):0.00} / {Pct(timings, 0.99):0.00} ms"), "late page as fast as the first"));
        }

        foreach (var (name, filter, cursor) in new[] { cases[0], cases[3], cases[4], cases[5] })
        {
            await using var db = await contexts.CreateDbContextAsync();
            var plan = await Plans.ExplainAsync(db, PostHistory.PageQuery(db, workspace, filter, PostHistory.ParseCursor(cursor), size), analyze: true);
            Console.WriteLine($"-- EXPLAIN (ANALYZE, BUFFERS) of the history query, {name}, {postsPerWorkspace:N0} posts");
            Console.WriteLine(plan);
            Console.WriteLine();
            results.Add(($"history plan, {name}, {postsPerWorkspace:N0} posts", KeyLines(plan), "an index, no sort"));
        }
        return results;
    }

    // Also the calendar phase's data (CalendarMonth): the same busy workspace, read by day instead of by page.
    internal static async Task SeedAsync(string database, Guid workspace, Guid neighbour, int posts)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        async Task Run(string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 3600 };
            command.Parameters.AddWithValue("workspace", workspace);
            command.Parameters.AddWithValue("neighbour", neighbour);
            command.Parameters.AddWithValue("posts", posts);
            command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow);
            await command.ExecuteNonQueryAsync();
        }
        await Run($"""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
            VALUES ('{UserId}', 'history@sosyabot.test', true, false, false, false, 0)
            """);
        await Run("INSERT INTO workspaces (id, name, created_at) VALUES (@workspace, 'history', @now), (@neighbour, 'neighbour', @now)");
        await Run($"""
            INSERT INTO channels (id, workspace_id, x_user_id, kind, handle, display_name, state, connected_by_user_id, connected_at)
            SELECT gen_random_uuid(), w, 'x' || n, 'ApiKeys', 'account' || n, 'Account ' || n, 'active', '{UserId}', @now
            FROM unnest(ARRAY[@workspace, @neighbour]) w, generate_series(1, 3) n
            """);
        // Both workspaces' posts interleaved in one statement, a year back to a week ahead, two posts to each due time
        // (so that the id breaks ties), one in 50 a draft. Due posts went out, mostly; later ones wait.
        await Run($$"""
            WITH ch AS (SELECT workspace_id, array_agg(id ORDER BY handle) AS ids FROM channels GROUP BY workspace_id),
            src AS MATERIALIZED (
                SELECT gen_random_uuid() AS id, ch.workspace_id, ch.ids, g,
                       @now + interval '7 days' - make_interval(secs => (g / 2) * 2 * (31536000.0 / @posts)) AS due_at,
                       g % 50 = 0 AS is_draft
                FROM ch, generate_series(1, @posts) g),
            p AS (
                INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, parts, is_draft, draft_channel_ids)
                SELECT id, workspace_id, '{{UserId}}', due_at - interval '1 day', due_at, ARRAY['history ' || g],
                       is_draft, CASE WHEN is_draft THEN ARRAY[ids[1]] ELSE '{}'::uuid[] END
                FROM src)
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids, published_at, reason)
            SELECT gen_random_uuid(), src.id, src.workspace_id, src.ids[1 + (g + k) % 3], d.state, src.due_at,
                   CASE WHEN d.state = 'failed' THEN 3 ELSE 0 END,
                   CASE WHEN d.state IN ('published', 'deleted') THEN ARRAY[(1000000000 + g * 2 + k)::text] ELSE '{}' END, '{}',
                   CASE WHEN d.state IN ('published', 'deleted') THEN src.due_at END,
                   CASE WHEN d.state = 'failed' THEN 'X said no' END
            FROM src
            CROSS JOIN LATERAL generate_series(0, CASE WHEN g % 3 = 0 THEN 1 ELSE 0 END) k
            CROSS JOIN LATERAL (SELECT CASE
                WHEN src.due_at > @now THEN CASE WHEN (g + k) % 17 = 0 THEN 'held' ELSE 'queued' END
                ELSE CASE (g + 7 * k) % 20 WHEN 0 THEN 'failed' WHEN 1 THEN 'cancelled' WHEN 2 THEN 'deleted' ELSE 'published' END
                END AS state) d
            WHERE NOT src.is_draft
            """);
        // Set-up, not load: statistics and the visibility map as autovacuum would leave them.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE posts, deliveries, channels", connection) { CommandTimeout = 3600 };
        await vacuum.ExecuteNonQueryAsync();
    }

    private static async Task<List<double>> TimeAsync(
        PooledDbContextFactory<SosyabotDbContext> contexts, Guid workspace, HistoryFilter filter, string? cursor, int size)
    {
        var timings = new List<double>(Requests);
        for (var i = 0; i < WarmUp + Requests; i++)
        {
            var watch = Stopwatch.StartNew();
            await using (var db = await contexts.CreateDbContextAsync())
            {
                var page = await new PostHistory(db).PageAsync(workspace, filter, cursor, size, CancellationToken.None);
                if (page.Posts.Count == 0)
                {
                    throw new InvalidOperationException("An empty history page: the cursor is wrong.");
                }
            }
            if (i >= WarmUp)
            {
                timings.Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        return timings;
    }

    // What the history lists for the filter, counted and walked with the app's own query rather than a copy of it.
    private static async Task<int> CountAsync(PooledDbContextFactory<SosyabotDbContext> contexts, Guid workspace, HistoryFilter filter)
    {
        await using var db = await contexts.CreateDbContextAsync();
        return await PostHistory.Query(db, workspace, filter, null).CountAsync();
    }

    private static async Task<string> CursorBeforeRowAsync(PooledDbContextFactory<SosyabotDbContext> contexts, Guid workspace, HistoryFilter filter, int row)
    {
        await using var db = await contexts.CreateDbContextAsync();
        var before = await PostHistory.Query(db, workspace, filter, null).Skip(row - 1).Select(p => new { p.DueAt, p.Id }).FirstAsync();
        return PostHistory.FormatCursor(before.DueAt, before.Id);
    }

    // The plan's top node, whether it sorts, the scan on posts and the time PostgreSQL took.
    internal static string KeyLines(string plan)
    {
        var lines = plan.Split('\n');
        var top = Regex.Replace(lines[0], @"\s*\(cost=.*$", "").Trim();
        var scan = Regex.Match(plan, @"(Index Only|Index|Bitmap Heap|Seq) Scan[^\n(]*on posts[^\n(]*").Value.Trim();
        var sort = plan.Contains("Sort Key", StringComparison.Ordinal) ? "; sorts" : "; no sort";
        var rows = Regex.Match(plan, @"on posts[^\n]*actual time=[\d.]+\.\.[\d.]+ rows=(\d+)") is { Success: true } r
            ? $" ({r.Groups[1].Value} rows read)"
            : "";
        var buffers = lines.FirstOrDefault(l => l.TrimStart().StartsWith("Buffers:", StringComparison.Ordinal))?.Trim() ?? "";
        var time = lines.FirstOrDefault(l => l.StartsWith("Execution Time", StringComparison.Ordinal)) ?? "";
        return $"{top}; {scan}{rows}{sort}; {buffers}; {time}";
    }

    internal static double Pct(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
