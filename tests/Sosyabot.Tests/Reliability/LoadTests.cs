using Sosyabot.Tests.Infrastructure;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Publishing;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Reliability;

// 50 clients at once, for a bounded time, publishing to 20 channels through the app (a real process) with
// the XSandbox as X on loopback: no errors, and X never answers 429 because the publisher waits first.
[Collection(DrillsCollection.Name)]
public sealed class LoadTests(ITestOutputHelper output)
{
    private const int Clients = 50;
    private const int Channels = 20;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task FiftyClientsTwentyChannels_BoundedTime_NoErrorsNoRateLimitViolations()
    {
        await using var drill = await Drill.StartAsync($"--SANDBOX_EXTRA_ACCOUNTS={Channels - 3}");
        await using var node = await AppProcess.StartAsync(drill.Environment(publisher: true));
        var person = await RemotePerson.RegisterAsync(node.Address, "load@sosyabot.test");
        var channels = new List<Guid>();
        foreach (var account in drill.XState.Everyone.Take(Channels))
        {
            channels.Add(await RemotePerson.ConnectSandboxKeysAsync(person, account));
        }
        var tokens = new List<string>();
        for (var i = 0; i < Clients; i++)
        {
            tokens.Add(await RemotePerson.CreateTokenAsync(person));
        }

        var latencies = new ConcurrentBag<double>();
        var errors = new ConcurrentBag<string>();
        var queued = 0;
        var stop = DateTime.UtcNow + Duration;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(tokens.Select(async (token, client) =>
        {
            using var http = new HttpClient { BaseAddress = new Uri(node.Address) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            for (var n = 0; DateTime.UtcNow < stop; n++)
            {
                var channel = channels[(client + n) % channels.Count];
                var started = Stopwatch.GetTimestamp();
                using var post = await http.PostAsJsonAsync($"/api/v1/channels/{channel}/posts", new { text = $"Load {client}-{n} {Guid.NewGuid():N}" });
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!post.IsSuccessStatusCode)
                {
                    errors.Add($"POST {(int)post.StatusCode}: {await post.Content.ReadAsStringAsync()}");
                    continue;
                }
                Interlocked.Increment(ref queued);
                started = Stopwatch.GetTimestamp();
                using var status = await http.GetAsync(post.Headers.Location);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!status.IsSuccessStatusCode)
                {
                    errors.Add($"GET status {(int)status.StatusCode}");
                }
            }
        }));
        var elapsed = clock.Elapsed;
        // Every post queued settles (published, or waiting for X's window) or the test fails: bounded, not a guess at how long it takes.
        int published, waiting, failed;
        var settleBy = Stopwatch.StartNew();
        do
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await using var db = drill.Database.CreateDbContext();
            published = await db.Deliveries.CountAsync(d => d.State == DeliveryStates.Published);
            waiting = await db.Deliveries.CountAsync(d => d.State == DeliveryStates.WaitingForRateLimit);
            failed = await db.Deliveries.CountAsync(d => d.State == DeliveryStates.Failed);
        }
        while (published + waiting + failed < queued && settleBy.Elapsed < TimeSpan.FromMinutes(3));
        var sorted = latencies.Order().ToList();
        Report.Write(output, "load", $"Load: {Clients} clients, {Channels} channels, {elapsed.TotalSeconds:0.0} s: {sorted.Count} requests " +
                         $"({sorted.Count / elapsed.TotalSeconds:0} req/s), latency p50 {Percentile(sorted, 0.50):0} ms, " +
                         $"p95 {Percentile(sorted, 0.95):0} ms, " +
                         $"p99 {Percentile(sorted, 0.99):0} ms; {queued} posts queued, {published} published " +
                         $"({settleBy.Elapsed.TotalSeconds:0} s to settle), {waiting} waiting for X's window, " +
                         $"{failed} failed; errors {errors.Count}; 429s from X {drill.XState.RateLimitRefusals}; duplicates {drill.XState.DuplicateRefusals}.");
        Assert.Empty(errors);
        Assert.Equal(0, failed);
        Assert.Equal(0, drill.XState.RateLimitRefusals);
        Assert.Equal(0, drill.XState.DuplicateRefusals);
        // Nothing lost: every post is on X or waiting for its account's window (100 per 15 minutes per account).
        Assert.Equal(queued, published + waiting);
        Assert.InRange(published, Math.Min(queued, 1), Channels * 100);
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}
