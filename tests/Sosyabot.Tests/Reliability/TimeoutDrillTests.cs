using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Reliability;

// X takes longer to answer than the app waits (12 s against the resilience handler's 10 s attempt timeout),
// on real clocks: the app gives up on the answer, then finds the post X did make instead of posting again.
[Collection(DrillsCollection.Name)]
public sealed class TimeoutDrillTests
{
    [Fact]
    public async Task XAnswersAfterTheTimeout_PostIsFoundNotSentAgain()
    {
        await using var drill = await Drill.StartAsync("--SANDBOX_POST_LATENCY_MS=12000");
        await using var node = await AppProcess.StartAsync(drill.Environment(publisher: true));
        var person = await RemotePerson.RegisterAsync(node.Address, "timeout-drill@sosyabot.test");
        var channel = await RemotePerson.ConnectSandboxKeysAsync(person, SandboxState.Accounts[1]);
        using var agent = new HttpClient { BaseAddress = new Uri(node.Address) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RemotePerson.CreateTokenAsync(person));

        using var queued = await agent.PostAsJsonAsync($"/api/v1/channels/{channel}/posts", new { text = "X is slow with this one" });
        var status = queued.Headers.Location!;

        string? sawLost = null;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        var state = "";
        while (state != DeliveryStates.Published && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
            var current = await agent.GetFromJsonAsync<System.Text.Json.JsonElement>(status);
            state = current.GetProperty("state").GetString()!;
            sawLost ??= current.GetProperty("reason").GetString() is { } reason && reason.Contains("answer was lost") ? reason : null;
        }

        Assert.Equal(DeliveryStates.Published, state);
        Assert.NotNull(sawLost);
        Assert.Contains("TimeoutRejectedException", sawLost);
        Assert.Single(await drill.PostsOnXAsync(), p => p.Text == "X is slow with this one");
        Assert.Equal(0, drill.XState.DuplicateRefusals);
        await using var db = drill.Database.CreateDbContext();
        Assert.Equal(DeliveryStates.Published, await db.Deliveries.Select(d => d.State).SingleAsync());
    }
}
