using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Agents;

// The agent API on a cookie channel goes through x.com's web path (the XSandbox's); the home timeline is
// served to every channel kind X serves it to.
public sealed class CookieAgentTests(AppWithXSandbox app) : IClassFixture<AppWithXSandbox>
{
    [Fact]
    public async Task CookieChannel_ReadsLikesRetweetsBookmarksAndSendsADm_ThroughTheWebPath()
    {
        var (agent, channelId, account) = await CookieAgentAsync(3);
        var bob = SandboxState.Accounts[1];
        var post = new SandboxPost(app.SandboxState.NextPostId(), bob, "A walrus on the ice", RenderedText.Of("A walrus on the ice", null),
            app.Clock.GetUtcNow(), []);
        app.SandboxState.AddPost(post);

        var home = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/channels/{channelId}/home-timeline?max_results=5");
        var search = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/channels/{channelId}/search?query=walrus");
        using var like = await agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/likes", new { tweet_id = post.Id });
        using var retweet = await agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/retweets", new { tweet_id = post.Id });
        using var bookmark = await agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/bookmarks", new { tweet_id = post.Id });
        using var dm = await agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/direct-messages",
            new { participant_id = bob.Id, text = "Hello from cookies" });

        Assert.Contains(home.GetProperty("tweets").EnumerateArray(), t => t.GetProperty("id").GetString() == post.Id);
        Assert.Equal(post.Id, Assert.Single(search.GetProperty("tweets").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (like.StatusCode, retweet.StatusCode, bookmark.StatusCode));
        Assert.True(dm.StatusCode == HttpStatusCode.OK, await dm.Content.ReadAsStringAsync());
        Assert.True(app.SandboxState.Relations.ContainsKey($"likes:{account.Id}:{post.Id}"));
        Assert.True(app.SandboxState.Relations.ContainsKey($"retweets:{account.Id}:{post.Id}"));
        Assert.True(app.SandboxState.Relations.ContainsKey($"bookmarks:{account.Id}:{post.Id}"));
        Assert.Contains(app.SandboxState.Messages, m => m.Sender.Id == account.Id && m.RecipientId == bob.Id && m.Text == "Hello from cookies");
    }

    [Fact]
    public async Task CookieChannel_WhatTheWebPathDoesNotCarry_Answers403NamingIt()
    {
        var (agent, channelId, _) = await CookieAgentAsync(4);

        using var unlike = await agent.DeleteAsync($"/api/v1/channels/{channelId}/likes/1800000000000000001");
        using var bookmarks = await agent.GetAsync($"/api/v1/channels/{channelId}/bookmarks");
        using var messages = await agent.GetAsync($"/api/v1/channels/{channelId}/direct-messages");

        foreach (var refused in new[] { unlike, bookmarks, messages })
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("not available for cookie-connected channels", await refused.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task ApiKeysChannel_HomeTimeline_ComesFromV2ReverseChronological()
    {
        var alice = SandboxState.Accounts[0];
        var user = await app.RegisterAsync($"home-{Guid.NewGuid():N}@sosyabot.test");
        var page = await user.GetDocumentAsync("/app/channels");
        using (await user.SubmitAsync(page, "#connect-api-keys", new ByokKeys(alice.Id, alice.Username, SandboxAuth.ConsumerKey, SandboxAuth.ConsumerSecret,
                   SandboxAuth.AppBearerToken, alice.AccessToken, alice.AccessTokenSecret).FormValues()))
        {
        }
        await using var db = app.Database.CreateDbContext();
        var channel = await db.Channels.AsNoTracking().Include(c => c.ConnectedBy)
            .Where(c => c.XUserId == alice.Id && c.Kind == ChannelKind.ApiKeys).OrderByDescending(c => c.ConnectedAt).FirstAsync();
        var post = new SandboxPost(app.SandboxState.NextPostId(), SandboxState.Accounts[2], "Carol's home news",
            RenderedText.Of("Carol's home news", null), app.Clock.GetUtcNow(), []);
        app.SandboxState.AddPost(post);
        using var agent = Agent(await new AgentWorkspace(null, user).CreateTokenAsync("read"));

        var home = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/channels/{channel.Id}/home-timeline?max_results=5");

        Assert.Equal(post.Id, home.GetProperty("tweets")[0].GetProperty("id").GetString());
    }

    private async Task<(HttpClient Agent, Guid ChannelId, SandboxAccount Account)> CookieAgentAsync(int extraAccount)
    {
        var account = app.SandboxState.Everyone[20 + extraAccount];
        var user = await app.RegisterAsync($"cookie-agent-{Guid.NewGuid():N}@sosyabot.test");
        using var connected = await user.PostAsJsonAsync("/api/v1/auth/twitter/unofficial",
            new { auth_token = account.WebAuthToken, ct0 = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) });
        Assert.True(connected.StatusCode == HttpStatusCode.Created, await connected.Content.ReadAsStringAsync());
        var channelId = (await connected.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        return (Agent(await new AgentWorkspace(null, user).CreateTokenAsync("read", "write", "dm")), channelId, account);
    }

    private HttpClient Agent(string token)
    {
        var client = app.CreateClient(
            new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
