using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Security;

// Someone who can write to the database (but has no key) moves one channel's encrypted credentials into another row,
// hoping the other channel will then act with them. Each value is bound to its own row, so neither decrypts.
public sealed class SecretSwapTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task Publish_ApiKeysSwappedBetweenTwoChannels_NothingSentAndTheChannelAsksForAReconnect()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var first = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var second = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var token = await workspace.CreateTokenAsync("read", "write");
        new FakeXPosts(app.Clock).Install(app.X, priority: 1);
        await app.Database.ExecuteAsync($"""
            UPDATE channels SET api_keys_protected = CASE id
                WHEN '{first.Id}' THEN (SELECT api_keys_protected FROM channels WHERE id = '{second.Id}')
                ELSE (SELECT api_keys_protected FROM channels WHERE id = '{first.Id}') END
            WHERE id IN ('{first.Id}', '{second.Id}')
            """);

        var composer = await workspace.User.GetDocumentAsync("/app/publishing");
        using (var published = await workspace.User.SubmitAsync(composer, "#publish", new Dictionary<string, string>
               {
                   ["Compose.Parts[0]"] = "Posted with swapped keys", ["Compose.ChannelIds"] = first.Id.ToString(), ["Compose.When"] = "now",
               }))
        {
            Assert.True(published.IsSuccessStatusCode, $"{(int)published.StatusCode}");
        }
        await app.Services.GetRequiredService<Publisher>().DrainAsync();
        using var agent = AgentWorkspace.Agent(app, token);
        using var timeline = await agent.GetAsync($"/api/v1/channels/{second.Id}/timeline");

        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");
        Assert.Equal(HttpStatusCode.Conflict, timeline.StatusCode);
        Assert.Contains("cannot be decrypted", await timeline.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var channels = await workspace.User.GetDocumentAsync("/app/channels");
        Assert.Equal("needs_reconnect", XConnectFlow.StateBadge(channels, first.Handle));
        Assert.Equal("needs_reconnect", XConnectFlow.StateBadge(channels, second.Handle));
        var details = await workspace.User.GetDocumentAsync($"/app/channels/{first.Id}");
        Assert.Contains("cannot be decrypted", details.Body!.TextContent, StringComparison.Ordinal);
    }
}
