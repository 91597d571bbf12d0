using Sosyabot.Tests.Infrastructure;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Reliability;

// The app killed with SIGKILL while it publishes, over and over, then allowed to finish: every post is on
// X exactly once. X (the sandbox) takes 150 ms per post, so kills land mid-request as well as between them.
[Collection(DrillsCollection.Name)]
public sealed class CrashDrillTests(ITestOutputHelper output)
{
    private static readonly int Kills = int.TryParse(Environment.GetEnvironmentVariable("SOSYABOT_CRASH_DRILL_KILLS"), out var kills) ? kills : 100;

    [Fact]
    public async Task SigkillDuringPublishing_RepeatedKills_NothingSentTwiceNothingLost()
    {
        await using var drill = await Drill.StartAsync("--SANDBOX_POST_LATENCY_MS=150");
        var queued = new List<string>();
        await using (var setup = await AppProcess.StartAsync(drill.Environment(publisher: false)))
        {
            var person = await RemotePerson.RegisterAsync(setup.Address, "crash-drill@sosyabot.test");
            var channels = new List<Guid>();
            foreach (var account in SandboxState.Accounts)
            {
                channels.Add(await RemotePerson.ConnectSandboxKeysAsync(person, account));
            }
            using var agent = new HttpClient { BaseAddress = new Uri(setup.Address) };
            agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RemotePerson.CreateTokenAsync(person));
            // X allows 100 posts per account per 15 minutes: 90 each keeps the drill inside one window.
            for (var i = 0; i < 90; i++)
            {
                foreach (var channel in channels)
                {
                    var text = $"Crash drill post {i} to {channel:N}";
                    using var response = await agent.PostAsJsonAsync($"/api/v1/channels/{channel}/posts", new { text });
                    response.EnsureSuccessStatusCode();
                    queued.Add(text);
                }
            }
        }

        var clock = Stopwatch.StartNew();
        var killedMidPublish = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            var node = await AppProcess.StartAsync(drill.Environment(publisher: true, claimLeaseSeconds: 2));
            await Task.Delay(Random.Shared.Next(0, 700));
            killedMidPublish += await CountAsync(drill, DeliveryStates.Publishing) > 0 ? 1 : 0;
            node.Kill();
            await node.DisposeAsync();
        }
        var killing = clock.Elapsed;

        await using (var survivor = await AppProcess.StartAsync(drill.Environment(publisher: true, claimLeaseSeconds: 2)))
        {
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (await CountAsync(drill, DeliveryStates.Published) + await CountAsync(drill, DeliveryStates.Failed) < queued.Count
                   && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }

        var onX = await drill.PostsOnXAsync();
        var sentTwice = onX.GroupBy(p => p.Text).Count(g => g.Count() > 1) + (int)drill.XState.DuplicateRefusals;
        var lost = queued.Except(onX.Select(p => p.Text)).Count();
        var failed = await CountAsync(drill, DeliveryStates.Failed);
        var waiting = await CountAsync(drill, DeliveryStates.WaitingForRateLimit);
        Report.Write(output, "crash-drill", $"SIGKILL drill: {Kills} kills in {killing.TotalSeconds:0} s ({killedMidPublish} with a delivery mid-publish), " +
                         $"{queued.Count} posts queued, {onX.Count} on X: sent twice {sentTwice}, lost {lost} " +
                         $"(of which waiting for a rate window {waiting}), failed {failed}, " +
                         $"duplicate resends refused by X {drill.XState.DuplicateRefusals}, 429s {drill.XState.RateLimitRefusals}.");
        Assert.Equal(0, sentTwice);
        Assert.Equal(0, lost);
        Assert.Equal(0, failed);
        Assert.Equal(queued.Count, onX.Count);
        Assert.True(killedMidPublish > Kills / 4, $"only {killedMidPublish} of {Kills} kills hit a delivery mid-publish");
    }

    private static async Task<int> CountAsync(Drill drill, string state)
    {
        await using var db = drill.Database.CreateDbContext();
        return await db.Deliveries.CountAsync(d => d.State == state);
    }
}
