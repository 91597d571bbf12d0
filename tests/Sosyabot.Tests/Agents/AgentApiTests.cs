using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Agents;

// Each /api/v1 agent endpoint, checked by what X (WireMock) received: method, path, query, body and a valid signature.
public sealed class AgentApiTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private AgentWorkspace _workspace = null!;
    private ByokKeys _keys = null!;
    private Channel _channel = null!;
    private HttpClient _agent = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await using (var cleanup = app.Database.CreateDbContext())
        {
            await cleanup.Posts.ExecuteDeleteAsync();
            await cleanup.RateBudgets.ExecuteDeleteAsync();
        }
        _workspace = await AgentWorkspace.RegisterAsync(app);
        _keys = ByokKeys.NewReadWrite();
        _channel = await _workspace.ConnectApiKeysAsync(_keys);
        _agent = AgentWorkspace.Agent(app, await _workspace.CreateTokenAsync("read", "write", "dm"));
        app.X.Reset();
    }

    public Task DisposeAsync()
    {
        _agent.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Posts_Lifecycle_ListEditCancelRetryDuplicateAndDeleteFromX()
    {
        var x = new FakeXPosts(app.Clock);
        x.Install(app.X);
        using var scheduled = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = "Tomorrow's news", scheduled_at = app.Clock.GetUtcNow().AddDays(1) });
        var location = scheduled.Headers.Location!;

        using var edit = await _agent.PatchAsJsonAsync(location, new { thread = new[] { "Tomorrow's news, edited", "With a second part" } });
        var edited = await OkJsonAsync(edit);
        Assert.Equal(["Tomorrow's news, edited", "With a second part"], edited.GetProperty("thread").EnumerateArray().Select(p => p.GetString()));

        var list = await OkJsonAsync(await _agent.GetAsync("/api/v1/posts?state=queued&limit=10"));
        Assert.Equal(edited.GetProperty("id").GetString(), Assert.Single(list.GetProperty("posts").EnumerateArray()).GetProperty("id").GetString());

        var cancelled = await OkJsonAsync(await _agent.DeleteAsync(location));
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        await DrainPublisherAsync();
        Assert.Empty(x.Created);

        using var copy = await _agent.PostAsync($"{location}/duplicate", null);
        Assert.Equal(HttpStatusCode.Created, copy.StatusCode);
        var draft = await copy.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(draft.GetProperty("is_draft").GetBoolean());
        Assert.Equal("Tomorrow's news, edited", draft.GetProperty("thread")[0].GetString());

        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1).InScenario("fail-once").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(403)
                .WithBodyAsJson(new { title = "Forbidden", status = 403, detail = "You are not permitted to perform this action." }));
        using var now = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new { text = "Fails once, then retried" });
        await DrainPublisherAsync();
        Assert.Equal("failed", (await OkJsonAsync(await _agent.GetAsync(now.Headers.Location))).GetProperty("state").GetString());
        await OkJsonAsync(await _agent.PostAsync($"{now.Headers.Location}/retry", null));
        await DrainPublisherAsync();
        var published = await OkJsonAsync(await _agent.GetAsync(now.Headers.Location));
        Assert.Equal("published", published.GetProperty("state").GetString());

        // X refuses the first delete: the post stays published, and can be deleted again.
        app.X.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/2/tweets/[0-9]+$")).UsingDelete()).AtPriority(1)
            .InScenario("delete-refused-once").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(403)
                .WithBodyAsJson(new { title = "Forbidden", status = 403, detail = "You are not permitted to perform this action." }));
        app.X.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/2/tweets/[0-9]+$")).UsingDelete()).AtPriority(10)
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { deleted = true } }));
        using (var refused = await _agent.DeleteAsync($"{now.Headers.Location}/tweets"))
        {
            Assert.False(refused.IsSuccessStatusCode);
        }
        Assert.Equal("published", (await OkJsonAsync(await _agent.GetAsync(now.Headers.Location))).GetProperty("state").GetString());
        var deleted = await OkJsonAsync(await _agent.DeleteAsync($"{now.Headers.Location}/tweets"));
        Assert.Equal("deleted", deleted.GetProperty("state").GetString());
        Assert.All(app.X.LogEntries.Where(e => e.RequestMessage.Method == "DELETE"),
            e => Assert.Equal($"/2/tweets/{published.GetProperty("tweet_ids")[0].GetString()}", e.RequestMessage.Path));
        Assert.Equal(2, app.X.LogEntries.Count(e => e.RequestMessage.Method == "DELETE"));
    }

    [Fact]
    public async Task Posts_DraftRescheduledThenPublished_GoesOutOnce()
    {
        var x = new FakeXPosts(app.Clock);
        x.Install(app.X);
        using var created = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new { text = "Drafted by an agent", draft = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var draft = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(draft.GetProperty("is_draft").GetBoolean());
        var drafts = await OkJsonAsync(await _agent.GetAsync("/api/v1/posts?drafts=true"));
        Assert.Equal(draft.GetProperty("id").GetString(), Assert.Single(drafts.GetProperty("posts").EnumerateArray()).GetProperty("id").GetString());
        await DrainPublisherAsync();
        Assert.Empty(x.Created);

        using var publish = await _agent.PostAsJsonAsync($"{created.Headers.Location}/publish", new { scheduled_at = app.Clock.GetUtcNow().AddDays(2) });
        Assert.Equal(HttpStatusCode.Accepted, publish.StatusCode);
        var tomorrow = app.Clock.GetUtcNow().AddDays(1);
        var moved = await OkJsonAsync(await _agent.PatchAsJsonAsync(created.Headers.Location, new { scheduled_at = tomorrow }));
        Assert.Equal(tomorrow.ToUnixTimeSeconds(), moved.GetProperty("due_at").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.Equal("queued", moved.GetProperty("state").GetString());

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));
        await DrainPublisherAsync();

        Assert.Equal("published", (await OkJsonAsync(await _agent.GetAsync(created.Headers.Location))).GetProperty("state").GetString());
        Assert.Equal("Drafted by an agent", Assert.Single(x.Created).Text);
    }

    [Fact]
    public async Task Posts_EditWhileBeingPublished_Answers409()
    {
        using var queued = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = "Claimed", scheduled_at = app.Clock.GetUtcNow().AddHours(1) });
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Deliveries.Where(d => d.ChannelId == _channel.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.State, DeliveryStates.Publishing));
        }

        using var edit = await _agent.PatchAsJsonAsync(queued.Headers.Location, new { text = "Too late" });

        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        Assert.Contains("being published right now", (await edit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownApiRoute_Answers404Problem()
    {
        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync("/api/v1/no-such-thing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Timeline_ReadsWithTheAppBearerAndPassesPaginationThrough()
    {
        GivenX("GET", $"/2/users/{_keys.XUserId}/tweets", new
        {
            data = new[] { new { id = "1850000000000000002", text = "newer", author_id = _keys.XUserId, created_at = "2026-11-20T10:00:00.000Z" } },
            meta = new { result_count = 1, next_token = "7140dibdnow9c7btw4" },
        });

        using var response = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/timeline?max_results=10&pagination_token=prev-page-token");

        var body = await OkJsonAsync(response);
        Assert.Equal("1850000000000000002", body.GetProperty("tweets")[0].GetProperty("id").GetString());
        Assert.Equal("7140dibdnow9c7btw4", body.GetProperty("next_token").GetString());
        var request = Received("GET", $"/2/users/{_keys.XUserId}/tweets");
        Assert.Equal("10", request.Query!["max_results"].Single());
        Assert.Equal("prev-page-token", request.Query["pagination_token"].Single());
        Assert.Contains("created_at", request.Query["tweet.fields"]);
        OAuth1Check.AssertAppBearer(request, _keys);
    }

    // The API's own response types: these names are the contract agents were written against, whatever X's records become.
    [Fact]
    public async Task Timeline_TweetsAndMessages_AnswerTheApisFieldNames()
    {
        var url = new { start = 0, end = 23, url = "https://t.co/abc", expanded_url = "https://example.org/a", display_url = "example.org/a" };
        GivenX("GET", $"/2/users/{_keys.XUserId}/tweets", new
        {
            data = new object[]
            {
                new
                {
                    id = "1850000000000000010", text = "https://t.co/abc long", author_id = _keys.XUserId, conversation_id = "1850000000000000010",
                    created_at = "2026-11-20T10:00:00.000Z", entities = new { urls = new[] { url } },
                    note_tweet = new { text = "https://example.org/a long, in full", entities = new { urls = new[] { url } } },
                },
                new
                {
                    id = "1850000000000000009", text = "plain", author_id = _keys.XUserId, conversation_id = "1850000000000000009",
                    created_at = "2026-11-20T09:00:00.000Z",
                },
            },
            meta = new { result_count = 2 },
        });
        GivenX("GET", "/2/dm_events", new
        {
            data = new[]
            {
                new
                {
                    id = "1850000000000000011", event_type = "MessageCreate", text = "hi", sender_id = "9876543210", dm_conversation_id = "c1",
                    created_at = "2026-11-20T10:00:00.000Z",
                },
            },
        });

        var tweets = (await OkJsonAsync(await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/timeline"))).GetProperty("tweets");
        var messages = (await OkJsonAsync(await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/direct-messages"))).GetProperty("messages");

        static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["id", "text", "created_at", "author_id", "conversation_id", "entities", "note_tweet"], Names(tweets[0]));
        Assert.Equal(["id", "text", "created_at", "author_id", "conversation_id"], Names(tweets[1]));
        var link = tweets[0].GetProperty("entities").GetProperty("urls")[0];
        Assert.Equal(["start", "end", "url", "expanded_url", "display_url"], Names(link));
        Assert.Equal("https://example.org/a", link.GetProperty("expanded_url").GetString());
        Assert.Equal(["text", "entities"], Names(tweets[0].GetProperty("note_tweet")));
        Assert.Equal("https://example.org/a long, in full", tweets[0].GetProperty("note_tweet").GetProperty("text").GetString());
        Assert.Equal(["id", "event_type", "text", "sender_id", "dm_conversation_id", "created_at"], Names(messages[0]));
        Assert.Equal("c1", messages[0].GetProperty("dm_conversation_id").GetString());
    }

    [Fact]
    public async Task Mentions_OfAnotherUser_AsksXForThatUsersMentions()
    {
        GivenX("GET", "/2/users/783214/mentions", new { data = new[] { new { id = "1850000000000000003", text = "@x hi" } }, meta = new { result_count = 1 } });

        using var response = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/mentions?user_id=783214");

        var body = await OkJsonAsync(response);
        Assert.Equal("1850000000000000003", body.GetProperty("tweets")[0].GetProperty("id").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("next_token").ValueKind);
        OAuth1Check.AssertAppBearer(Received("GET", "/2/users/783214/mentions"), _keys);
    }

    [Fact]
    public async Task Search_SendsTheQueryAndNextToken()
    {
        GivenX("GET", "/2/tweets/search/recent", new
        {
            data = new[] { new { id = "1850000000000000004", text = "sosyabot rocks" } },
            meta = new { next_token = "b26v89c19zqg8o3fpds" },
        });

        using var response = await _agent.GetAsync(
            $"/api/v1/channels/{_channel.Id}/search?query={Uri.EscapeDataString("sosyabot -is:retweet")}&max_results=25&next_token=abc");

        var body = await OkJsonAsync(response);
        Assert.Equal("b26v89c19zqg8o3fpds", body.GetProperty("next_token").GetString());
        var request = Received("GET", "/2/tweets/search/recent");
        Assert.Equal("sosyabot -is:retweet", request.Query!["query"].Single());
        Assert.Equal("25", request.Query["max_results"].Single());
        Assert.Equal("abc", request.Query["next_token"].Single());
    }

    [Theory]
    [InlineData("likes", "liked")]
    [InlineData("retweets", "retweeted")]
    public async Task LikeAndRetweet_OnAndOff_AreSignedRequestsOnTheUsersCollection(string collection, string field)
    {
        GivenX("POST", $"/2/users/{_keys.XUserId}/{collection}", new { data = new Dictionary<string, bool> { [field] = true } });
        GivenX("DELETE", $"/2/users/{_keys.XUserId}/{collection}/1850000000000000005", new { data = new Dictionary<string, bool> { [field] = false } });

        using var on = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/{collection}", new { tweet_id = "1850000000000000005" });
        using var off = await _agent.DeleteAsync($"/api/v1/channels/{_channel.Id}/{collection}/1850000000000000005");

        Assert.True((await OkJsonAsync(on)).GetProperty("active").GetBoolean());
        Assert.False((await OkJsonAsync(off)).GetProperty("active").GetBoolean());
        var posted = Received("POST", $"/2/users/{_keys.XUserId}/{collection}");
        Assert.Equal("1850000000000000005", JsonDocument.Parse(posted.Body!).RootElement.GetProperty("tweet_id").GetString());
        OAuth1Check.AssertSignedByUser(posted, _keys);
        OAuth1Check.AssertSignedByUser(Received("DELETE", $"/2/users/{_keys.XUserId}/{collection}/1850000000000000005"), _keys);
    }

    [Fact]
    public async Task DirectMessages_SendAndRead_AreSignedWithTheQueryInTheSignature()
    {
        GivenX("POST", "/2/dm_conversations/with/9876543210/messages",
            new { data = new { dm_conversation_id = "9876543210-" + _keys.XUserId, dm_event_id = "1850000000000000006" } });
        GivenX("GET", "/2/dm_events", new
        {
            data = new[]
            {
                new { id = "1850000000000000007", event_type = "MessageCreate", text = "hello back", sender_id = "9876543210", dm_conversation_id = "c1" },
            },
            meta = new { next_token = "dm-next" },
        });

        using var sent = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/direct-messages",
            new { participant_id = "9876543210", text = "Hello from an agent" });
        using var read = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/direct-messages?max_results=20&pagination_token=dm-prev");

        var sentBody = await OkJsonAsync(sent);
        Assert.Equal("1850000000000000006", sentBody.GetProperty("dm_event_id").GetString());
        Assert.Equal(["dm_conversation_id", "dm_event_id"], sentBody.EnumerateObject().Select(p => p.Name));
        var page = await OkJsonAsync(read);
        Assert.Equal("hello back", page.GetProperty("messages")[0].GetProperty("text").GetString());
        Assert.Equal("dm-next", page.GetProperty("next_token").GetString());
        var send = Received("POST", "/2/dm_conversations/with/9876543210/messages");
        Assert.Equal("Hello from an agent", JsonDocument.Parse(send.Body!).RootElement.GetProperty("text").GetString());
        OAuth1Check.AssertSignedByUser(send, _keys);
        var list = Received("GET", "/2/dm_events");
        Assert.Equal("dm-prev", list.Query!["pagination_token"].Single());
        OAuth1Check.AssertSignedByUser(list, _keys);
    }

    [Fact]
    public async Task Bookmarks_OnAnApiKeyChannel_AreRefusedBeforeX()
    {
        using var list = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/bookmarks");
        using var add = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/bookmarks", new { tweet_id = "1" });

        Assert.Equal(HttpStatusCode.Forbidden, list.StatusCode);
        Assert.Contains("X serves bookmarks to OAuth 2.0 connections only", await list.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task Bookmarks_OnAnOAuth2Channel_UseTheUsersBearer()
    {
        await XConnectFlow.ConfigureIntegrationAsync(app);
        var xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        app.GivenTokenEndpointIssues("oauth2-user-token-" + xUserId, expiresIn: 86_400,
            scope: "tweet.read tweet.write users.read bookmark.read bookmark.write like.write");
        app.GivenUsersMe(xUserId, "oauth_" + xUserId);
        await XConnectFlow.ConnectAsync(_workspace.User);
        Guid channelId;
        await using (var db = app.Database.CreateDbContext())
        {
            channelId = await db.Channels.Where(c => c.XUserId == xUserId).Select(c => c.Id).SingleAsync();
        }
        app.X.Reset();
        GivenX("GET", $"/2/users/{xUserId}/bookmarks", new
        {
            data = new[] { new { id = "1850000000000000008", text = "saved" } },
            meta = new { next_token = "bm-next" },
        });
        GivenX("POST", $"/2/users/{xUserId}/bookmarks", new { data = new { bookmarked = true } });
        GivenX("DELETE", $"/2/users/{xUserId}/bookmarks/1850000000000000008", new { data = new { bookmarked = false } });

        using var list = await _agent.GetAsync($"/api/v1/channels/{channelId}/bookmarks?pagination_token=bm-prev");
        using var add = await _agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/bookmarks", new { tweet_id = "1850000000000000008" });
        using var remove = await _agent.DeleteAsync($"/api/v1/channels/{channelId}/bookmarks/1850000000000000008");

        Assert.Equal("bm-next", (await OkJsonAsync(list)).GetProperty("next_token").GetString());
        await OkJsonAsync(add);
        await OkJsonAsync(remove);
        var listed = Received("GET", $"/2/users/{xUserId}/bookmarks");
        Assert.Equal($"Bearer oauth2-user-token-{xUserId}", listed.Headers!["Authorization"].Single());
        Assert.Equal("bm-prev", listed.Query!["pagination_token"].Single());
        Assert.Equal("1850000000000000008",
            JsonDocument.Parse(Received("POST", $"/2/users/{xUserId}/bookmarks").Body!).RootElement.GetProperty("tweet_id").GetString());
    }

    [Fact]
    public async Task Post_ImageNamedLongerThanTheColumnWithControlCharacters_IsQueuedUnderACleanedName()
    {
        var name = "holiday\u0000\n" + new string('é', 300) + ".png";

        using var queued = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new
        {
            text = "an image with a strange name",
            scheduled_at = "2099-01-01T00:00:00Z",
            media = new[] { new { file_name = name, content_type = "image/png", data = Convert.ToBase64String(TestImages.Png(12)) } },
        });

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var id = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var stored = Assert.Single(await app.Database.ReadColumnAsync($"SELECT file_name FROM post_media WHERE post_id = '{id}'"));
        Assert.Equal(255, stored.Length);
        Assert.StartsWith("holiday" + new string('é', 248), stored);
    }

    [Fact]
    public async Task Post_ThreadReplyQuoteAndImage_QueuedThenPublishedSignedWithXsIds()
    {
        var posts = new FakeXPosts(app.Clock);
        posts.Install(app.X);
        GivenMediaUpload("1880000000000000001");
        var image = Convert.ToBase64String(TestImages.Png(11));

        using var queued = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new
        {
            thread = new[] { "First part, quoting and replying", "Second part" },
            reply_to_tweet_id = "1700000000000000001",
            quote_tweet_id = "1700000000000000002",
            media = new[] { new { content_type = "image/png", data = image, alt_text = "A tiny image" } },
        });

        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var status = await queued.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("queued", status.GetProperty("state").GetString());
        Assert.Equal($"/api/v1/posts/{status.GetProperty("id").GetString()}", queued.Headers.Location!.ToString());

        await DrainPublisherAsync();
        var published = await OkJsonAsync(await _agent.GetAsync(queued.Headers.Location));

        Assert.Equal("published", published.GetProperty("state").GetString());
        var ids = published.GetProperty("tweet_ids").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(posts.Created.Select(t => t.Id), ids);
        var tweets = app.X.LogEntries.Where(e => e.RequestMessage.Path == "/2/tweets").Select(e => e.RequestMessage).ToList();
        Assert.Equal(2, tweets.Count);
        var first = JsonDocument.Parse(tweets[0].Body!).RootElement;
        Assert.Equal("1700000000000000001", first.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.Equal("1700000000000000002", first.GetProperty("quote_tweet_id").GetString());
        Assert.Equal("1880000000000000001", first.GetProperty("media").GetProperty("media_ids")[0].GetString());
        var second = JsonDocument.Parse(tweets[1].Body!).RootElement;
        Assert.Equal(ids[0], second.GetProperty("reply").GetProperty("in_reply_to_tweet_id").GetString());
        Assert.False(second.TryGetProperty("quote_tweet_id", out _));
        Assert.All(tweets, request => OAuth1Check.AssertSignedByUser(request, _keys));
        Assert.All(app.X.LogEntries.Where(e => e.RequestMessage.Path.StartsWith("/2/media", StringComparison.Ordinal)).Select(e => e.RequestMessage),
            request => OAuth1Check.AssertSignedByUser(request, _keys));
    }

    [Fact]
    public async Task Post_InvalidInput_Answers400WithEveryProblem()
    {
        using var both = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new { text = "a", thread = new[] { "b" } });
        using var tooLong = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = new string('x', 281), quote_tweet_id = "not-an-id" });

        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
        Assert.Contains("either text", await both.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("quote_tweet_id must be the numeric id", await tooLong.Content.ReadAsStringAsync());
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task ReadOnlyChannel_AskedToWrite_IsRefusedBeforeXWithTheGuidance()
    {
        var readOnlyKeys = ByokKeys.NewReadWrite().ReadOnly();
        var readOnly = await _workspace.ConnectApiKeysAsync(readOnlyKeys);
        app.X.Reset();

        using var like = await _agent.PostAsJsonAsync($"/api/v1/channels/{readOnly.Id}/likes", new { tweet_id = "1" });
        using var post = await _agent.PostAsJsonAsync($"/api/v1/channels/{readOnly.Id}/posts", new { text = "hello" });
        using var dm = await _agent.PostAsJsonAsync($"/api/v1/channels/{readOnly.Id}/direct-messages", new { participant_id = "1", text = "hi" });

        foreach (var response in new[] { like, post, dm })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var problem = await response.Content.ReadAsStringAsync();
            Assert.Contains("is read-only", problem);
            Assert.Contains("Read and write", problem);
            Assert.Contains("regenerate the access token and secret", problem);
        }
        Assert.Empty(app.X.LogEntries);
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Posts.AnyAsync(p => p.Deliveries.Any(d => d.ChannelId == readOnly.Id)));
    }

    [Fact]
    public async Task XAnswers401_ProblemSaysRegenerateKeysAndTheChannelNeedsReconnect()
    {
        GivenX("POST", $"/2/users/{_keys.XUserId}/likes", new { title = "Unauthorized", status = 401, detail = "Unauthorized" }, status: 401);

        using var response = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = "1" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("x_status").GetInt32());
        Assert.Contains("the consumer key/secret is invalid or the app is suspended", problem.GetProperty("detail").GetString());
        Assert.Contains("Regenerate the keys", problem.GetProperty("detail").GetString());
        var page = await _workspace.User.GetDocumentAsync($"/app/channels/{_channel.Id}");
        Assert.Equal("needs_reconnect", page.QuerySelector("#channel-state")!.TextContent);
        Assert.Contains("consumer key/secret is invalid", page.QuerySelector("#channel-reason")!.TextContent);
    }

    [Fact]
    public async Task XAnswers403OnAWrite_ProblemSaysTheAppOrTokenIsReadOnly()
    {
        GivenX("POST", $"/2/users/{_keys.XUserId}/retweets", new
        {
            title = "Forbidden", status = 403, detail = "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
        }, status: 403);

        using var response = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/retweets", new { tweet_id = "1" });

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(403, problem.GetProperty("x_status").GetInt32());
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("the app or its access token is read-only", detail);
        Assert.Contains("Read and write", detail);
        Assert.Contains("regenerate the access token and secret", detail);
    }

    [Fact]
    public async Task XAnswers429_ProblemSaysWhenTheLimitResetsWithRetryAfter()
    {
        var reset = app.Clock.GetUtcNow().AddMinutes(9);
        app.X.Given(Request.Create().WithPath("/2/tweets/search/recent").UsingGet()).RespondWith(Response.Create().WithStatusCode(429)
            .WithHeader("x-rate-limit-limit", "450").WithHeader("x-rate-limit-remaining", "0")
            .WithHeader("x-rate-limit-reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .WithBodyAsJson(new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }));

        using var response = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/search?query=x");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 535, 541);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains($"resets at {reset.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", detail);
        // Not retried: X's window is minutes away, and asking again would only spend more of it.
        Assert.Single(app.X.LogEntries);
    }

    [Fact]
    public async Task XAnswers429WithTheDailyCapSpent_RetryAfterIsTheDaysResetAndNoLikeIsSentBeforeIt()
    {
        var windowReset = app.Clock.GetUtcNow().AddMinutes(9);
        var dayReset = app.Clock.GetUtcNow().AddHours(10);
        app.X.Given(Request.Create().WithPath($"/2/users/{_keys.XUserId}/likes").UsingPost()).RespondWith(Response.Create().WithStatusCode(429)
            .WithHeader("x-rate-limit-limit", "50").WithHeader("x-rate-limit-remaining", "40")
            .WithHeader("x-rate-limit-reset", windowReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .WithHeader("x-user-limit-24hour-limit", "1000").WithHeader("x-user-limit-24hour-remaining", "0")
            .WithHeader("x-user-limit-24hour-reset", dayReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .WithBodyAsJson(new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }));

        using var refused = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = "1850000000000000001" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalHours, 9.9, 10.01);
        Assert.Contains($"resets at {dayReset.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC", await refused.Content.ReadAsStringAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        using var stillRefused = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = "1850000000000000002" });
        Assert.Equal(HttpStatusCode.TooManyRequests, stillRefused.StatusCode);
        Assert.Contains("1,000 likes per 24 hours", await stillRefused.Content.ReadAsStringAsync());
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path.EndsWith("/likes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task XAnswers400_ProblemNamesWhatXSaidWasWrong()
    {
        GivenX("GET", "/2/tweets/search/recent", new
        {
            errors = new[]
            {
                new { parameters = new { query = new[] { "from:" } }, message = "There were errors processing your request: Empty 'from:' operator (at position 1)" },
            },
            title = "Invalid Request", detail = "One or more parameters to your request was invalid.", type = "https://api.twitter.com/2/problems/invalid-request",
        }, status: 400);

        using var response = await _agent.GetAsync($"/api/v1/channels/{_channel.Id}/search?query=from%3A");

        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("Empty 'from:' operator (at position 1)", detail);
    }

    [Fact]
    public async Task Likes_PastXsFiftyPer15Minutes_AreHeldBackWithoutCallingX()
    {
        GivenX("POST", $"/2/users/{_keys.XUserId}/likes", new { data = new { liked = true } });

        for (var i = 0; i < 50; i++)
        {
            using var ok = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = $"{1850000000000000100 + i}" });
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }
        using var refused = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = "1850000000000000999" });

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("50 likes per 15 minutes", await refused.Content.ReadAsStringAsync());
        Assert.Contains("nothing was sent to X", await refused.Content.ReadAsStringAsync());
        Assert.Equal(50, app.X.LogEntries.Count(e => e.RequestMessage.Path.EndsWith("/likes", StringComparison.Ordinal)));

        app.Clock.Advance(TimeSpan.FromMinutes(15));
        using var later = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/likes", new { tweet_id = "1850000000000000999" });
        Assert.Equal(HttpStatusCode.OK, later.StatusCode);
    }

    private void GivenX(string method, string path, object body, int status = 200) =>
        app.X.Given(Request.Create().WithPath(path).UsingMethod(method))
            .RespondWith(Response.Create().WithStatusCode(status).WithBodyAsJson(body));

    private void GivenMediaUpload(string mediaId)
    {
        GivenX("POST", "/2/media/upload/initialize", new { data = new { id = mediaId, expires_after_secs = 86_400 } });
        GivenX("POST", $"/2/media/upload/{mediaId}/append", new { });
        GivenX("POST", $"/2/media/upload/{mediaId}/finalize", new { data = new { id = mediaId, expires_after_secs = 86_400 } });
        GivenX("POST", "/2/media/metadata", new { data = new { id = mediaId } });
    }

    private IRequestMessage Received(string method, string path) =>
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Method == method && e.RequestMessage.Path == path).RequestMessage;

    private static async Task<JsonElement> OkJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement;
    }

    private Task DrainPublisherAsync() => app.Services.GetRequiredService<Publisher>().DrainAsync();
}
