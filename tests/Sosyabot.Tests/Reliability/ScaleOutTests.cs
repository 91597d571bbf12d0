using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Reliability;

// Two app processes on one PostgreSQL, both publishing: one deployment, not two.
[Collection(DrillsCollection.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoNodes_ShareLoginsSecretsQueueAndRateBudget()
    {
        await using var drill = await Drill.StartAsync("--SANDBOX_POST_LATENCY_MS=20");
        await using var nodeA = await AppProcess.StartAsync(drill.Environment(publisher: true));
        await using var nodeB = await AppProcess.StartAsync(drill.Environment(publisher: true));

        // A login made on A is a login on B: the cookie is protected with keys both read from the database.
        var person = await RemotePerson.RegisterAsync(nodeA.Address, "scale-out@sosyabot.test");
        var onB = new BrowserClient(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, person.Cookies, followRedirects: false)
        {
            BaseAddress = new Uri(nodeB.Address),
        };
        // Cookies belong to a host, not a port: the jar sends A's cookies to B as a browser would behind one address.
        using (var channelsOnB = await onB.GetAsync("/app/channels"))
        {
            Assert.Equal(HttpStatusCode.OK, channelsOnB.StatusCode);
            Assert.Contains("scale-out@sosyabot.test", await channelsOnB.Content.ReadAsStringAsync());
        }

        // Keys encrypted by A (the channel's API keys) are used by whichever node publishes.
        var alice = await RemotePerson.ConnectSandboxKeysAsync(person, SandboxState.Accounts[0]);
        using var agent = new HttpClient { BaseAddress = new Uri(nodeA.Address) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RemotePerson.CreateTokenAsync(person));
        for (var i = 0; i < 150; i++)
        {
            using var queued = await agent.PostAsJsonAsync($"/api/v1/channels/{alice}/posts", new { text = $"Scale-out post {i}" });
            queued.EnsureSuccessStatusCode();
        }

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await CountAsync(drill, DeliveryStates.Published) < 100 || await CountAsync(drill, DeliveryStates.WaitingForRateLimit) < 50)
               && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var onX = await drill.PostsOnXAsync();
        await using var db = drill.Database.CreateDbContext();
        var nodes = await db.Deliveries.Where(d => d.State == DeliveryStates.Published).Select(d => d.ClaimedBy!).Distinct().ToListAsync();
        Report.Write(output, "scale-out", $"Scale-out: 2 nodes, 150 posts for one account: {onX.Count} on X, " +
                         $"{await CountAsync(drill, DeliveryStates.WaitingForRateLimit)} waiting for the window, " +
                         $"429s from X {drill.XState.RateLimitRefusals}, duplicates {drill.XState.DuplicateRefusals}, published by {nodes.Count} nodes.");
        Assert.Equal(100, onX.Count);
        Assert.Equal(100, onX.Select(p => p.Text).Distinct().Count());
        Assert.Equal(50, await CountAsync(drill, DeliveryStates.WaitingForRateLimit));
        Assert.Equal(0, drill.XState.RateLimitRefusals);
        Assert.Equal(0, drill.XState.DuplicateRefusals);
        // One node at a time publishes for an account (it holds the channel's lease), so the account's posts
        // reach X in the order they were queued whichever nodes took turns.
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"Scale-out post {i}"), onX.Select(p => p.Text));
    }

    [Fact]
    public async Task TwoNodes_BurstOverManyAccounts_EachPostSentOnceInOrderWithNo429()
    {
        const int accounts = 30;
        const int postsEach = 3;
        await using var drill = await Drill.StartAsync("--SANDBOX_POST_LATENCY_MS=300", $"--SANDBOX_EXTRA_ACCOUNTS={accounts}");
        await using var nodeA = await AppProcess.StartAsync(drill.Environment(publisher: true));
        await using var nodeB = await AppProcess.StartAsync(drill.Environment(publisher: true));
        var person = await RemotePerson.RegisterAsync(nodeA.Address, "burst@sosyabot.test");
        var channels = new List<Guid>();
        foreach (var account in drill.XState.Everyone.Take(accounts))
        {
            channels.Add(await RemotePerson.ConnectSandboxKeysAsync(person, account));
        }
        using var agent = new HttpClient { BaseAddress = new Uri(nodeB.Address) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RemotePerson.CreateTokenAsync(person));

        // Every account's posts due at the same second, as people schedule them at round times.
        var dueAt = DateTimeOffset.UtcNow.AddSeconds(10);
        for (var i = 0; i < postsEach; i++)
        {
            foreach (var channel in channels)
            {
                using var queued = await agent.PostAsJsonAsync($"/api/v1/channels/{channel}/posts",
                    new { text = $"Burst {channel:N} part {i}", scheduled_at = dueAt });
                queued.EnsureSuccessStatusCode();
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (await CountAsync(drill, DeliveryStates.Published) < accounts * postsEach && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        var onX = await drill.PostsOnXAsync();
        await using var db = drill.Database.CreateDbContext();
        var nodes = await db.Deliveries.Where(d => d.State == DeliveryStates.Published).Select(d => d.ClaimedBy!).Distinct().ToListAsync();
        var last = await db.Deliveries.MaxAsync(d => d.PublishedAt);
        Report.Write(output, "burst", $"Burst: 2 nodes, {accounts} accounts x {postsEach} posts due at one second, X answering in 300 ms: " +
                         $"{onX.Count} on X, last published {(last - dueAt)?.TotalSeconds:0.0} s after the due time " +
                         $"(one at a time: {accounts * postsEach * 0.3:0} s), 429s {drill.XState.RateLimitRefusals}, " +
                         $"duplicates {drill.XState.DuplicateRefusals}, published by {nodes.Count} nodes.");
        Assert.Equal(accounts * postsEach, onX.Count);
        Assert.Equal(accounts * postsEach, onX.Select(p => p.Text).Distinct().Count());
        Assert.Equal(0, drill.XState.RateLimitRefusals);
        Assert.Equal(0, drill.XState.DuplicateRefusals);
        // Each account's posts reached X in due order, whichever node sent them.
        foreach (var channel in channels)
        {
            Assert.Equal(Enumerable.Range(0, postsEach).Select(i => $"Burst {channel:N} part {i}"),
                onX.Where(p => p.Text.StartsWith($"Burst {channel:N} ", StringComparison.Ordinal)).Select(p => p.Text));
        }
        // Every reservation was settled or given back.
        Assert.Empty(await db.RateBudgetReservations.ToListAsync());
    }

    private static async Task<int> CountAsync(Drill drill, string state)
    {
        await using var db = drill.Database.CreateDbContext();
        return await db.Deliveries.CountAsync(d => d.State == state);
    }
}
