using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.Bench;
using Sosyabot.TestHost;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;

// Sosyabot's benchmark: the app as a Release process, the XSandbox as X and PostgreSQL on loopback.
// It prints a table and never fails on a figure. './service.sh bench' starts PostgreSQL and runs it.
var serverUrl = Environment.GetEnvironmentVariable("SOSYABOT_BENCH_DATABASE_URL")
    ?? throw new InvalidOperationException("SOSYABOT_BENCH_DATABASE_URL is not set; run './service.sh bench'.");
var seconds = int.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_BENCH_SECONDS"), out var s) ? s : 10;
var backlogs = (Environment.GetEnvironmentVariable("SOSYABOT_BENCH_BACKLOGS") ?? "10000,100000")
    .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToList();
var timeFactor = double.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_BENCH_TIME_FACTOR"), CultureInfo.InvariantCulture, out var f) ? f : 600;
var historyPosts = int.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_BENCH_HISTORY_POSTS"), out var h) ? h : 10_000;
var burstChannels = int.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_BENCH_BURST_CHANNELS"), out var b) ? b : 1_000;
var calendarPosts = int.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_BENCH_CALENDAR_POSTS"), out var c) ? c : 100_000;
var phases = (Environment.GetEnvironmentVariable("SOSYABOT_BENCH_PHASES") ?? "throughput,lag,budget,burst,history,calendar").Split(',', StringSplitOptions.TrimEntries);
if (!phases.Contains("lag"))
{
    backlogs.Clear();
}
var results = new List<(string What, string Figure, string Goal)>();

var server = DatabaseOptions.ToNpgsqlConnectionString(serverUrl);
var databaseName = $"sosyabot_bench_{DateTime.UtcNow:yyyyMMddHHmmss}";
// The app process, its 100 channels and the RSS figures only for the phases that use them.
if (phases.Contains("throughput") || phases.Contains("lag"))
{
    await Sql(server, $"CREATE DATABASE \"{databaseName}\"");
    var database = new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
    {
        await db.Database.MigrateAsync();
    }

    var sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--SANDBOX_EXTRA_ACCOUNTS=97"]);
    await sandbox.StartAsync();
    var sandboxAddress = sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
    var bare = WebApplication.CreateSlimBuilder();
    bare.WebHost.UseUrls("http://127.0.0.1:0");
    bare.Logging.ClearProviders();
    var bareApp = bare.Build();
    bareApp.MapPost("/bare", (JsonElement body) => Results.Accepted("/bare/1", new { id = Guid.NewGuid(), state = "queued" }));
    bareApp.MapGet("/bare", () => Results.Text("<!DOCTYPE html><p>ok</p>", "text/html"));
    await bareApp.StartAsync();
    var bareAddress = bareApp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    var app = await AppProcess.StartAsync(new Dictionary<string, string>
    {
        ["DATABASE_URL"] = database,
        ["X_API_BASE_URL"] = sandboxAddress,
        ["X_AUTHORIZE_URL"] = sandboxAddress + "/i/oauth2/authorize",
        ["X_WEB_BASE_URL"] = sandboxAddress,
    });
    try
    {
        using var person = await RemotePerson.RegisterAsync(app.Address, "bench@sosyabot.test");
        var accounts = sandbox.Services.GetRequiredService<SandboxState>().Everyone;
        var channels = new List<Guid>();
        foreach (var account in accounts)
        {
            channels.Add(await RemotePerson.ConnectSandboxKeysAsync(person, account));
        }
        var token = await RemotePerson.CreateTokenAsync(person);
        var cookie = string.Join("; ", person.Cookies.GetCookies(new Uri(app.Address)).Select(c => $"{c.Name}={c.Value}"));

        if (Environment.GetEnvironmentVariable("SOSYABOT_BENCH_HOLD") == "1")
        {
            // For profiling by hand (dotnet-trace, wrk with other settings): the set-up stays up until Enter.
            Console.WriteLine(
                $"Holding: app {app.Address} (pid {app.ProcessId}), token {token}, channel {channels[0]}, cookie '{cookie}'. Press Enter to go on.");
            Console.ReadLine();
        }
        await Task.Delay(2000);
        var idle = Rss(app.ProcessId);
        results.Add(("RSS at idle (after start-up and set-up)", $"{idle} MB", "<= 150 MB"));

        if (phases.Contains("throughput"))
        {
            results.AddRange(await ThroughputAsync(app, database, bareAddress, channels, token, cookie, seconds));
        }

        // Dispatch lag: a backlog far in the future, then posts due every few ms; lag = due time -> X receives it.
        foreach (var backlog in backlogs)
        {
            await Sql(database, "DELETE FROM posts");
            await Sql(database, $$"""
                WITH ch AS (SELECT array_agg(id ORDER BY id) AS ids, (array_agg(workspace_id))[1] AS ws, min(connected_by_user_id) AS usr FROM channels),
                p AS (
                    INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, parts)
                    SELECT gen_random_uuid(), ch.ws, ch.usr, now(), now() + interval '30 days', ARRAY['backlog ' || g]
                    FROM generate_series(1, {{backlog}}) g, ch
                    RETURNING id, workspace_id, due_at, parts)
                INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids)
                SELECT gen_random_uuid(), p.id, p.workspace_id, ch.ids[1 + abs(hashtext(p.parts[1])) % array_length(ch.ids, 1)],
                    'queued', p.due_at, 0, '{}', '{}'
                FROM p, ch
                """);
            // The backlog is set-up, not load: settle it (visibility map, statistics, WAL flushed) before measuring.
            await Sql(database, "VACUUM ANALYZE posts, deliveries");
            await Sql(database, "CHECKPOINT");
            // The publisher's own statements with the parameters a node sends now: the app's default claim lease and,
            // for the claim, every channel leased (100 here, as many as one lease's scan can take).
            var plans = new List<(string What, string Plan)>();
            await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
            {
                var now = DateTimeOffset.UtcNow;
                var claimLease = new PublishingOptions().ClaimLease;
                plans.Add(("publisher lease query plan", await Plans.ExplainAsync(db, Publisher.LeaseQuery(db, now, claimLease, "bench", 32, []), analyze: false)));
                plans.Add(("publisher claim query plan",
                    await Plans.ExplainAsync(db, Publisher.ClaimQuery(db, now, claimLease, "bench", channels), analyze: false)));
                plans.Add(("next-due query plan (the loop's sleep)", await Plans.ExplainAsync(db, Publisher.NextDueQuery(db), analyze: false)));
            }
            foreach (var (what, plan) in plans)
            {
                Console.WriteLine($"-- EXPLAIN, {what}, {backlog:N0} queued");
                Console.WriteLine(plan);
                Console.WriteLine();
            }
            var lags = await MeasureLagAsync(app, token, channels, sandboxAddress, count: 200);
            results.Add(($"dispatch lag, {backlog:N0} queued (p50 / p99 / max)",
                $"{Pct(lags.Lags, 0.5):0} / {Pct(lags.Lags, 0.99):0} / {lags.Lags.Max():0} ms" +
                $"{(lags.QueuedLate > 0 ? $" ({lags.QueuedLate} queued after their due time: figure not valid)" : "")}",
                "p99 <= 1000 ms"));
            results.AddRange(plans.Select(p => ($"{p.What}, {backlog:N0} queued", ScansOf(p.Plan), "an index")));
        }
    }
    finally
    {
        await app.DisposeAsync();
        await sandbox.DisposeAsync();
        await bareApp.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await Sql(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
    }
}

if (phases.Contains("budget"))
{
    results.AddRange(await BudgetUseAsync(server, databaseName + "_budget", timeFactor));
}

if (phases.Contains("burst"))
{
    results.AddRange(await BurstAsync(server, databaseName + "_burst", burstChannels));
}

if (phases.Contains("history"))
{
    results.AddRange(await HistoryAsync(server, databaseName + "_history", historyPosts));
}

if (phases.Contains("calendar"))
{
    results.AddRange(await CalendarAsync(server, databaseName + "_calendar", calendarPosts));
}

Console.WriteLine();
Console.WriteLine($"Sosyabot benchmark · {Environment.ProcessorCount} cores · {RuntimeName()} · {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();
Console.WriteLine("| measure | figure | goal |");
Console.WriteLine("|---|---|---|");
foreach (var (what, figure, goal) in results)
{
    Console.WriteLine($"| {what} | {figure} | {goal} |");
}
return;

// Throughput: wrk on loopback, the app's two routes beside a bare endpoint of the same framework, RSS sampled throughout.
static async Task<List<(string What, string Figure, string Goal)>> ThroughputAsync(
    AppProcess app, string database, string bareAddress, List<Guid> channels, string token, string cookie, int seconds)
{
    var script = Path.Combine(Path.GetTempPath(), "sosyabot-bench-post.lua");
    await File.WriteAllTextAsync(script, $$"""
        local channels = { {{string.Join(",", channels.Select(c => $"\"{c}\""))}} }
        local n = 0
        request = function()
          n = n + 1
          local body = '{"text": "bench ' .. n .. ' ' .. math.random(1, 1000000000) .. '", "scheduled_at": "2099-01-01T00:00:00Z"}'
          return wrk.format("POST", "/api/v1/channels/" .. channels[(n % #channels) + 1] .. "/posts", nil, body)
        end
        """);
    Task<WrkResult> PublishNow(int forSeconds) =>
        Wrk($"{app.Address}/api/v1/channels/x/posts", forSeconds, script, ["Authorization: Bearer " + token, "Content-Type: application/json"]);
    Task<WrkResult> ChannelsPage() => Wrk($"{app.Address}/app/channels", seconds, null, ["Cookie: " + cookie]);

    var peak = 0L;
    using var sampler = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
    var sampling = Task.Run(async () =>
    {
        while (await sampler.WaitForNextTickAsync())
        {
            peak = Math.Max(peak, Rss(app.ProcessId));
        }
    });
    // Unmeasured first runs: the JIT tiers the hot paths up, as in a process that has been serving for a while. After
    // one 10-second run the JIT's background thread still took about 30 % of the app's CPU in the measured run (perf,
    // 2026-12-01); after 30 seconds of load it compiles nothing more.
    await PublishNow(3 * seconds);
    await ChannelsPage();
    var publish = await PublishNow(seconds);
    var databaseRate = await PgBench.PublishWriteRateAsync(database, channels[0], clients: 32, seconds);
    var barePost = await Wrk($"{bareAddress}/bare", seconds, null, ["Content-Type: application/json"], body: "{\"text\":\"bench\"}");
    var page = await ChannelsPage();
    var barePage = await Wrk($"{bareAddress}/bare", seconds, null, []);
    sampler.Dispose();
    await sampling;
    return
    [
        ("publish-now API (POST /api/v1/channels/{id}/posts)", publish.ToString(), ""),
        ("pgbench, the same write (a post and its delivery in one transaction), 32 clients", $"{databaseRate:N0} tx/s", ""),
        ("publish-now / pgbench", $"{publish.RequestsPerSecond / databaseRate:P0}", ">= 50%"),
        ("bare ASP.NET Core POST, same machine (context: it writes nothing)", barePost.ToString(), ""),
        ("GET /app/channels (signed in)", page.ToString(), ""),
        ("bare ASP.NET Core GET, same machine", barePage.ToString(), ""),
        ("/app/channels / bare", $"{page.RequestsPerSecond / barePage.RequestsPerSecond:P0}", ""),
        ("RSS peak under the throughput load", $"{peak} MB", ""),
    ];
}

// Budget use: its own database and sandbox, on a clock the app and the sandbox share.
static async Task<List<(string What, string Figure, string Goal)>> BudgetUseAsync(string server, string databaseName, double timeFactor)
{
    var database = new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    await Sql(server, $"CREATE DATABASE \"{databaseName}\"");
    try
    {
        await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
        {
            await db.Database.MigrateAsync();
        }
        var budget = await BudgetUse.RunAsync(database, timeFactor);
        return
        [
            ("budget use: share of X's allowed posts sent in 23 simulated hours", budget.Share, ">= 99%"),
            ("budget use: 429s received from X", budget.RateLimited.ToString(CultureInfo.InvariantCulture), "0"),
            ("budget use: set-up", budget.Detail, ""),
        ];
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await Sql(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
    }
}

// Bursts: their own database, sandbox and app processes (see Burst).
static async Task<List<(string What, string Figure, string Goal)>> BurstAsync(string server, string databaseName, int channels)
{
    var database = new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    await Sql(server, $"CREATE DATABASE \"{databaseName}\"");
    try
    {
        await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
        {
            await db.Database.MigrateAsync();
        }
        return await Burst.RunAsync(database, channels);
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await Sql(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
    }
}

// History paging: its own database, the app's query code on a pooled context (see HistoryPaging).
static async Task<List<(string What, string Figure, string Goal)>> HistoryAsync(string server, string databaseName, int posts)
{
    var database = new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    await Sql(server, $"CREATE DATABASE \"{databaseName}\"");
    try
    {
        await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
        {
            await db.Database.MigrateAsync();
        }
        return await HistoryPaging.RunAsync(database, posts);
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await Sql(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
    }
}

static async Task<(List<double> Lags, int QueuedLate)> MeasureLagAsync(AppProcess app, string token, List<Guid> channels, string sandboxAddress, int count)
{
    using var agent = new HttpClient { BaseAddress = new Uri(app.Address) };
    agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    var tag = Guid.NewGuid().ToString("N")[..8];
    var due = new Dictionary<string, DateTimeOffset>();
    var queuedLate = 0;
    var start = DateTimeOffset.UtcNow.AddSeconds(5);
    for (var i = 0; i < count; i++)
    {
        var at = start.AddMilliseconds(i * 25);
        var text = $"lag {tag} {i}";
        using var queued = await agent.PostAsJsonAsync($"/api/v1/channels/{channels[i % channels.Count]}/posts", new { text, scheduled_at = at });
        queued.EnsureSuccessStatusCode();
        due[text] = at;
        queuedLate += DateTimeOffset.UtcNow > at ? 1 : 0;
    }
    using var x = new HttpClient { BaseAddress = new Uri(sandboxAddress) };
    var deadline = DateTime.UtcNow.AddSeconds(60);
    List<double> lags;
    do
    {
        await Task.Delay(500);
        var posts = await x.GetFromJsonAsync<JsonElement>("/sandbox/posts");
        lags = posts.EnumerateArray()
            .Where(p => due.ContainsKey(p.GetProperty("text").GetString()!))
            .Select(p => (p.GetProperty("created_at").GetDateTimeOffset() - due[p.GetProperty("text").GetString()!]).TotalMilliseconds)
            .ToList();
    }
    while (lags.Count < count && DateTime.UtcNow < deadline);
    return (lags.Count == 0 ? [double.NaN] : lags, queuedLate);
}

// Every scan in the plan, in plan order: the lease and the claim read deliveries, channels and publishing_leases.
static string ScansOf(string plan) =>
    string.Join("; ", Regex.Matches(plan, @"(Index Only|Index|Bitmap Index|Seq) Scan[^\n(]*").Select(m => m.Value.Trim()).Distinct());

static double Pct(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}

static async Task<WrkResult> Wrk(string url, int seconds, string? script, string[] headers, string? body = null)
{
    var arguments = new List<string> { "-t2", "-c32", $"-d{seconds}s", "--latency" };
    foreach (var header in headers)
    {
        arguments.AddRange(["-H", header]);
    }
    if (script is not null)
    {
        arguments.AddRange(["-s", script]);
    }
    else if (body is not null)
    {
        var bodyScript = Path.Combine(Path.GetTempPath(), "sosyabot-bench-bare.lua");
        await File.WriteAllTextAsync(bodyScript, $"wrk.method = \"POST\"\nwrk.body = '{body}'\n");
        arguments.AddRange(["-s", bodyScript]);
    }
    arguments.Add(url);
    var start = new ProcessStartInfo("wrk", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var wrk = Process.Start(start)!;
    var output = await wrk.StandardOutput.ReadToEndAsync();
    await wrk.WaitForExitAsync();
    var rps = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
    var p99 = Regex.Match(output, @"99%\s+([\d.]+)(us|ms|s)");
    var p99Ms = double.Parse(p99.Groups[1].Value, CultureInfo.InvariantCulture) * (p99.Groups[2].Value switch { "us" => 0.001, "s" => 1000, _ => 1 });
    var non2xx = Regex.Match(output, @"Non-2xx or 3xx responses:\s+(\d+)") is { Success: true } m
        ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
        : 0;
    return new WrkResult(rps, p99Ms, non2xx);
}

static long Rss(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => long.Parse(Regex.Match(l, @"\d+").Value, CultureInfo.InvariantCulture) / 1024).FirstOrDefault();

static async Task Sql(string connectionString, string sql)
{
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
    await command.ExecuteNonQueryAsync();
}

static string RuntimeName() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

// The calendar's month view: its own database, HistoryPaging's data, the app's feed code (see CalendarMonth).
static async Task<List<(string What, string Figure, string Goal)>> CalendarAsync(string server, string databaseName, int posts)
{
    var database = new NpgsqlConnectionStringBuilder(server) { Database = databaseName }.ConnectionString;
    await Sql(server, $"CREATE DATABASE \"{databaseName}\"");
    try
    {
        await using (var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options))
        {
            await db.Database.MigrateAsync();
        }
        return await CalendarMonth.RunAsync(database, posts);
    }
    finally
    {
        NpgsqlConnection.ClearAllPools();
        await Sql(server, $"DROP DATABASE IF EXISTS \"{databaseName}\" WITH (FORCE)");
    }
}

internal sealed record WrkResult(double RequestsPerSecond, double P99Milliseconds, int Non2xx)
{
    public override string ToString() => $"{RequestsPerSecond:N0} req/s, p99 {P99Milliseconds:0.0} ms{(Non2xx > 0 ? $", {Non2xx} non-2xx" : "")}";
}
