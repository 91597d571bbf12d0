using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.TestHost;
using Sosyabot.Web.Data;
using Sosyabot.XSandbox;

namespace Sosyabot.Bench;

// People schedule at round times: every channel has a post due at the same second, and X takes 300 ms to answer
// each. Lag is from the due time to the sandbox recording the post (after its 300 ms), on one node, then on two,
// then on two with one SIGKILLed mid-burst, after which no budget may stay stranded once the claim lease has passed.
internal static class Burst
{
    private const int LatencyMs = 300;

    // Short, so that the kill drill's claims and reservations lapse within the benchmark's patience.
    // Above the X client's 30-second request limit plus a quarter of itself (PublishingOptions.ClaimLeaseSeconds):
    // shorter, a POST slowed by an overloaded machine could outlive its claim and be sent again by the next node.
    private const int ClaimLeaseSeconds = 60;

    public static async Task<List<(string What, string Figure, string Goal)>> RunAsync(string database, int channels)
    {
        var results = new List<(string What, string Figure, string Goal)>();
        await using var sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning",
            $"--SANDBOX_EXTRA_ACCOUNTS={Math.Max(0, channels - SandboxState.Accounts.Length)}", $"--SANDBOX_POST_LATENCY_MS={LatencyMs}"]);
        await sandbox.StartAsync();
        var sandboxAddress = sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var state = sandbox.Services.GetRequiredService<SandboxState>();
        var environment = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = database,
            ["X_API_BASE_URL"] = sandboxAddress,
            ["X_AUTHORIZE_URL"] = sandboxAddress + "/i/oauth2/authorize",
            ["X_WEB_BASE_URL"] = sandboxAddress,
            ["PUBLISHER_CLAIM_LEASE_SECONDS"] = ClaimLeaseSeconds.ToString(CultureInfo.InvariantCulture),
        };
        var first = await AppProcess.StartAsync(environment);
        AppProcess? second = null;
        AppProcess? third = null;
        try
        {
            using (var person = await RemotePerson.RegisterAsync(first.Address, "burst@sosyabot.test"))
            {
                foreach (var account in state.Everyone.Take(channels))
                {
                    await RemotePerson.ConnectSandboxKeysAsync(person, account);
                }
            }

            var oneNode = await BurstAsync(database, state, channels, kill: null);
            results.Add(($"burst, {channels:N0} channels due at one second, X answering in {LatencyMs} ms, 1 node (p50 / p99 / max lag)",
                oneNode.Figure, "p99 <= 5 s"));
            results.Add(("burst, 1 node: 429s from X", oneNode.RateLimited.ToString(CultureInfo.InvariantCulture), "0"));

            second = await AppProcess.StartAsync(environment);
            var twoNodes = await BurstAsync(database, state, channels, kill: null);
            results.Add(($"burst, {channels:N0} channels, 2 nodes (p50 / p99 / max lag)", twoNodes.Figure, "p99 <= 3 s"));
            results.Add(("burst, 2 nodes: 429s from X", twoNodes.RateLimited.ToString(CultureInfo.InvariantCulture), "0"));

            // SIGKILL the first node once a third of the burst is on X; the second goes on, and a new node joins.
            var killed = await BurstAsync(database, state, channels, kill: first);
            third = await AppProcess.StartAsync(environment);
            results.Add(($"burst, {channels:N0} channels, 2 nodes, one SIGKILLed mid-burst (p50 / p99 / max lag)", killed.Figure, ""));
            results.Add(("burst with a SIGKILL: posts on X / sent twice / 429s",
                $"{killed.OnX:N0} of {channels:N0} / {killed.Duplicates} / {killed.RateLimited}", $"{channels:N0} / 0 / 0"));
            await Task.Delay(TimeSpan.FromSeconds(ClaimLeaseSeconds + 2));
            var stranded = await StrandedAsync(database, state);
            results.Add(($"burst with a SIGKILL: budget stranded {ClaimLeaseSeconds} s (the claim lease) later", stranded, "0"));
        }
        finally
        {
            // What the nodes logged (warnings and errors), for a figure that looks wrong.
            foreach (var (name, node) in new[] { ("first", first), ("second", second), ("third", third) })
            {
                if (node is not null)
                {
                    Console.WriteLine($"-- burst: the {name} node's last log lines\n{node.Tail}\n");
                }
            }
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
            if (third is not null)
            {
                await third.DisposeAsync();
            }
            await sandbox.DisposeAsync();
        }
        return results;
    }

    private sealed record Outcome(string Figure, long RateLimited, long Duplicates, int OnX);

    private static async Task<Outcome> BurstAsync(string database, SandboxState state, int channels, AppProcess? kill)
    {
        var tag = Guid.NewGuid().ToString("N")[..8];
        var refusedBefore = state.RateLimitRefusals;
        var duplicatesBefore = state.DuplicateRefusals;
        // Past the loop's longest sleep (5 s), so every node has read the due time before it comes.
        var now = DateTimeOffset.UtcNow;
        var due = new DateTimeOffset(now.Ticks - now.Ticks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(8);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                WITH p AS (
                    INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, parts)
                    SELECT gen_random_uuid(), c.workspace_id, c.connected_by_user_id, now(), @due, ARRAY['burst ' || @tag || ' ' || c.id]
                    FROM channels c
                    RETURNING id, workspace_id, due_at, parts)
                INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids)
                SELECT gen_random_uuid(), p.id, p.workspace_id, split_part(p.parts[1], ' ', 3)::uuid, 'queued', p.due_at, 0, '{}', '{}' FROM p
                """, connection);
            command.Parameters.AddWithValue("due", due);
            command.Parameters.AddWithValue("tag", tag);
            await command.ExecuteNonQueryAsync();
        }
        var prefix = $"burst {tag} ";
        var deadline = DateTime.UtcNow.AddSeconds(120 + (kill is null ? 0 : ClaimLeaseSeconds));
        var killedAt = (TimeSpan?)null;
        List<double> lags;
        do
        {
            await Task.Delay(100);
            lags = [.. state.Posts.Where(p => p.Text.StartsWith(prefix, StringComparison.Ordinal)).Select(p => (p.CreatedAt - due).TotalMilliseconds)];
            if (kill is not null && killedAt is null && lags.Count >= channels / 3)
            {
                kill.Kill();
                killedAt = DateTimeOffset.UtcNow - due;
            }
        }
        while (lags.Count < channels && DateTime.UtcNow < deadline);
        var onX = lags.Count;
        var distinct = state.Posts.Where(p => p.Text.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.Text).Distinct().Count();
        lags = lags.Count == 0 ? [double.NaN] : lags.Order().ToList();
        var figure = string.Create(CultureInfo.InvariantCulture,
            $"{Pct(lags, 0.5) / 1000:0.00} / {Pct(lags, 0.99) / 1000:0.00} / {lags[^1] / 1000:0.00} s ({onX:N0} of {channels:N0} on X" +
            $"{(killedAt is { } k ? $"; killed {k.TotalSeconds:0.0} s after the due time" : "")})");
        return new Outcome(figure, state.RateLimitRefusals - refusedBefore, state.DuplicateRefusals - duplicatesBefore + (onX - distinct), distinct);
    }

    // For every account's 15-minute window: what Sosyabot would still promise (remaining minus live reservations)
    // against what X has left. Stranded is what X would allow and Sosyabot would not; over is the other way round,
    // which X's next answer corrects (the lower figure is kept).
    private static async Task<string> StrandedAsync(string database, SandboxState state)
    {
        await using var db = new SosyabotDbContext(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(database).Options);
        var now = DateTimeOffset.UtcNow;
        var budgets = await db.RateBudgets.Where(b => b.Key.StartsWith("tweets:user:"))
            .Select(b => new { b.Key, b.Remaining, Live = db.RateBudgetReservations.Count(r => r.Key == b.Key && r.ExpiresAt > now) })
            .ToListAsync();
        var live = await db.RateBudgetReservations.CountAsync(r => r.ExpiresAt > now);
        int stranded = 0, over = 0;
        foreach (var budget in budgets)
        {
            if (!state.RateWindows.TryGetValue(budget.Key, out var window))
            {
                continue;
            }
            var onX = window.Limit - window.Used;
            var ours = budget.Remaining - budget.Live;
            stranded += Math.Max(0, onX - ours);
            over += Math.Max(0, ours - onX);
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{stranded} units over {budgets.Count:N0} account windows; live reservations {live}; over-estimated {over} (X's next answer corrects it)");
    }

    private static double Pct(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}
