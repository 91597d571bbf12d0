using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Sosyabot.Tests.Browser;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Agents;

// The app on a real port with the XSandbox as X, which checks every OAuth 1.0a signature: a person connects
// their own app's keys and makes a token, then an agent with nothing but the base URL and that token finds
// its way through the OpenAPI document and acts.
public sealed class AgentWalkthroughTests(SandboxedApp app) : IClassFixture<SandboxedApp>
{
    [Fact]
    public async Task Agent_WithOnlyATokenAndTheOpenApiDocument_PostsSearchesLikesAndWritesADirectMessage()
    {
        app.StartServer();
        var alice = SandboxState.Accounts[0];
        var bob = SandboxState.Accounts[1];
        var token = await PersonConnectsKeysAndCreatesTokenAsync(alice);

        using var agent = new HttpClient { BaseAddress = new Uri(app.Address) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var document = await agent.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        string PathOf(string suffix) => paths.Single(p => p.EndsWith(suffix, StringComparison.Ordinal));

        var channels = await agent.GetFromJsonAsync<JsonElement>(PathOf("/channels"));
        var channel = channels.EnumerateArray().Single(c => c.GetProperty("handle").GetString() == alice.Username);
        Assert.False(channel.GetProperty("read_only").GetBoolean());
        var channelId = channel.GetProperty("id").GetString()!;
        string ChannelPath(string suffix) => PathOf(suffix).Replace("{channelId}", channelId, StringComparison.Ordinal);

        var word = "walkthrough" + Guid.NewGuid().ToString("N")[..8];
        using var queued = await agent.PostAsJsonAsync(ChannelPath("{channelId}/posts"), new { text = $"An agent says hello to @{bob.Username} #{word}" });
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var status = await WaitUntilPublishedAsync(agent, queued.Headers.Location!);
        var tweetId = status.GetProperty("tweet_ids")[0].GetString()!;

        var found = await agent.GetFromJsonAsync<JsonElement>($"{ChannelPath("/search")}?query={word}");
        Assert.Equal(tweetId, found.GetProperty("tweets")[0].GetProperty("id").GetString());
        var mentions = await agent.GetFromJsonAsync<JsonElement>($"{ChannelPath("/mentions")}?user_id={bob.Id}");
        Assert.Contains(tweetId, mentions.GetProperty("tweets").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var timeline = await agent.GetFromJsonAsync<JsonElement>($"{ChannelPath("/timeline")}?max_results=5");
        Assert.Equal(tweetId, timeline.GetProperty("tweets")[0].GetProperty("id").GetString());

        using var like = await agent.PostAsJsonAsync(ChannelPath("/likes"), new { tweet_id = tweetId });
        Assert.True((await Ok(like)).GetProperty("active").GetBoolean());
        using var retweet = await agent.PostAsJsonAsync(ChannelPath("/retweets"), new { tweet_id = tweetId });
        await Ok(retweet);
        using var dm = await agent.PostAsJsonAsync(ChannelPath("/direct-messages"), new { participant_id = bob.Id, text = "Thanks for reading, Bob" });
        var eventId = (await Ok(dm)).GetProperty("dm_event_id").GetString();
        var messages = await agent.GetFromJsonAsync<JsonElement>(ChannelPath("/direct-messages"));
        Assert.Equal(eventId, messages.GetProperty("messages")[0].GetProperty("id").GetString());

        // X (the sandbox) has the post from alice, and refused nothing on signature grounds along the way.
        using var sandbox = new HttpClient { BaseAddress = new Uri(app.SandboxAddress) };
        var onX = await sandbox.GetFromJsonAsync<JsonElement>("/sandbox/posts");
        Assert.Contains(onX.EnumerateArray(), p => p.GetProperty("id").GetString() == tweetId && p.GetProperty("username").GetString() == alice.Username);

        using var bookmarks = await agent.GetAsync(ChannelPath("/bookmarks"));
        Assert.Equal(HttpStatusCode.Forbidden, bookmarks.StatusCode);
        Assert.Contains("OAuth 2.0 connections only", await bookmarks.Content.ReadAsStringAsync());
    }

    private async Task<string> PersonConnectsKeysAndCreatesTokenAsync(SandboxAccount account)
    {
        var person = await RemotePerson.RegisterAsync(app.Address, $"walkthrough-{Guid.NewGuid():N}@sosyabot.test");
        await RemotePerson.ConnectSandboxKeysAsync(person, account);
        return await RemotePerson.CreateTokenAsync(person);
    }

    private static async Task<JsonElement> WaitUntilPublishedAsync(HttpClient agent, Uri status)
    {
        // The publisher runs in the background, as in production; the agent polls the status it was given.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var current = await agent.GetFromJsonAsync<JsonElement>(status);
            var state = current.GetProperty("state").GetString();
            if (state == "published" || state == "failed" || DateTime.UtcNow > deadline)
            {
                Assert.True(state == "published", $"{state}: {current.GetProperty("reason")}");
                return current;
            }
            await Task.Delay(100);
        }
    }

    private static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }
}
