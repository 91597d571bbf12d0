using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.XSandbox;
using static Sosyabot.XSandbox.SandboxWebContract;

namespace Sosyabot.Tests.Publishing;

// The XSandbox answers x.com's web-client path (docs/x-web-path.md) as x.com does: requests are built here
// by hand, in the wire shapes of that spec, and the answers are read as a client of x.com would read them.
public sealed class SandboxWebPathTests : IAsyncLifetime
{
    private const string Ct0 = "0123456789abcdef0123456789abcdef";
    private readonly WebApplication _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    private static readonly SandboxAccount Alice = SandboxState.Accounts[0];
    private static readonly SandboxAccount Bob = SandboxState.Accounts[1];
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        var address = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        // Cookies are set by hand on each request, as a cookie-session client keeps them itself.
        _http = new HttpClient(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = address };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task CreateTweet_TextWithLinkAndAmpersand_AnswersTheNewIdAndTheTextAsXRewritesIt()
    {
        using var response = await CreateTweetAsync(new { tweet_text = "Read this & that: https://example.com/a?b=1 <now>" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = Result(await response.Content.ReadFromJsonAsync<JsonElement>());
        var id = result.GetProperty("rest_id").GetString()!;
        var legacy = result.GetProperty("legacy");
        Assert.Matches(@"^Read this &amp; that: https://t\.co/[A-Za-z0-9]{10} &lt;now&gt;$", legacy.GetProperty("full_text").GetString());
        Assert.Equal("https://example.com/a?b=1", legacy.GetProperty("entities").GetProperty("urls")[0].GetProperty("expanded_url").GetString());
        Assert.Equal(Alice.Username, result.GetProperty("core").GetProperty("user_results").GetProperty("result")
            .GetProperty("legacy").GetProperty("screen_name").GetString());
        Assert.Contains(await SandboxPostsAsync(), p => p.GetProperty("id").GetString() == id && p.GetProperty("username").GetString() == Alice.Username);
    }

    [Fact]
    public async Task CreateTweet_ThreadPartsReplyingToThePrevious_ShareTheFirstPartsConversation()
    {
        var first = await CreatedIdAsync(new { tweet_text = "Thread 1/2" });

        using var second = await CreateTweetAsync(new
        {
            tweet_text = "Thread 2/2", reply = new { in_reply_to_tweet_id = first, exclude_reply_user_ids = Array.Empty<string>() },
        });

        var legacy = Result(await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("legacy");
        Assert.Equal(first, legacy.GetProperty("in_reply_to_status_id_str").GetString());
        Assert.Equal(first, legacy.GetProperty("conversation_id_str").GetString());
    }

    [Fact]
    public async Task CreateTweet_ImageUploadedWithAltText_CarriesTheImageAndItsAltTextOnTheTimeline()
    {
        var image = new byte[3000];
        using var init = await SendAsync(HttpMethod.Post,
            "/i/media/upload.json?command=INIT&total_bytes=3000&media_type=image%2Fpng&media_category=tweet_image");
        var mediaId = (await init.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("media_id_string").GetString()!;
        for (var segment = 0; segment < 2; segment++)
        {
            var chunk = new MultipartFormDataContent { { new ByteArrayContent(image, segment * 1500, 1500), "media", "blob" } };
            using var append = await SendAsync(HttpMethod.Post, $"/i/media/upload.json?command=APPEND&media_id={mediaId}&segment_index={segment}", chunk);
            Assert.Equal(HttpStatusCode.NoContent, append.StatusCode);
        }
        using var finalize = await SendAsync(HttpMethod.Post, $"/i/media/upload.json?command=FINALIZE&media_id={mediaId}");
        using var alt = await SendAsync(HttpMethod.Post, "/i/api/1.1/media/metadata/create.json",
            JsonContent.Create(new { media_id = mediaId, alt_text = new { text = "A red square" } }));

        using var response = await CreateTweetAsync(new
        {
            tweet_text = "With a picture",
            media = new { media_entities = new[] { new { media_id = mediaId, tagged_users = Array.Empty<string>() } }, possibly_sensitive = false },
        });

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Created, HttpStatusCode.OK), (init.StatusCode, finalize.StatusCode, alt.StatusCode));
        var legacy = Result(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("legacy");
        var media = legacy.GetProperty("extended_entities").GetProperty("media")[0];
        Assert.Equal((mediaId, "A red square"), (media.GetProperty("id_str").GetString(), media.GetProperty("ext_alt_text").GetString()));
        Assert.EndsWith(media.GetProperty("url").GetString()!, legacy.GetProperty("full_text").GetString());
        var onTimeline = (await SandboxPostsAsync()).Single(p => p.GetProperty("text").GetString() == "With a picture");
        Assert.Equal("A red square", onTimeline.GetProperty("media")[0].GetProperty("alt_text").GetString());
    }

    [Fact]
    public async Task CreateTweet_AttachmentUrlOfAPost_IsAQuoteOfIt()
    {
        var quoted = await CreatedIdAsync(new { tweet_text = "Worth quoting" }, Bob);

        using var response = await CreateTweetAsync(new { tweet_text = "Quoting this", attachment_url = $"https://x.com/{Bob.Username}/status/{quoted}" });

        var legacy = Result(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("legacy");
        Assert.True(legacy.GetProperty("is_quote_status").GetBoolean());
        Assert.Equal(quoted, legacy.GetProperty("quoted_status_id_str").GetString());
    }

    [Fact]
    public async Task CreateTweet_SameTextTwice_Answers200WithCode187InXsErrorShape()
    {
        await CreatedIdAsync(new { tweet_text = "Only once" });

        using var again = await CreateTweetAsync(new { tweet_text = "Only once" });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = await again.Content.ReadFromJsonAsync<JsonElement>();
        var error = body.GetProperty("errors")[0];
        Assert.Equal((187, "Authorization: Status is a duplicate. (187)"), (error.GetProperty("code").GetInt32(), error.GetProperty("message").GetString()));
        Assert.Equal((187, "Permissions"), (error.GetProperty("extensions").GetProperty("code").GetInt32(), error.GetProperty("kind").GetString()));
        Assert.Equal(JsonValueKind.Object, body.GetProperty("data").ValueKind);
        Assert.Empty(body.GetProperty("data").EnumerateObject());
    }

    [Fact]
    public async Task Call_WithoutTheWebBearerOrWithAnotherOne_IsRefusedInV11Shape()
    {
        using var none = await SendAsync(HttpMethod.Post, GraphQlPath(CreateTweet), Body(new { tweet_text = "x" }), bearer: null);
        using var other = await SendAsync(HttpMethod.Post, GraphQlPath(CreateTweet), Body(new { tweet_text = "x" }),
            bearer: "AAAAAAAAAAAAAAAAAAAAAnotTheWebClients");

        Assert.Equal((HttpStatusCode.BadRequest, 215), (none.StatusCode, await CodeAsync(none)));
        Assert.Equal((HttpStatusCode.Unauthorized, 89), (other.StatusCode, await CodeAsync(other)));
    }

    [Fact]
    public async Task Call_UnknownAuthToken_Answers401WithCode32()
    {
        using var response = await CreateTweetAsync(new { tweet_text = "Who am I" }, authToken: new string('f', 40));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"errors":[{"code":32,"message":"Could not authenticate you."}]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Call_CsrfHeaderNotTheCt0Cookie_Answers403WithCode353AndHandsACt0Back()
    {
        using var response = await SendAsync(HttpMethod.Post, GraphQlPath(CreateTweet), Body(new { tweet_text = "CSRF" }), csrf: "not-the-cookie");

        Assert.Equal((HttpStatusCode.Forbidden, 353), (response.StatusCode, await CodeAsync(response)));
        Assert.Matches("^[0-9a-f]{160}$", NewCt0(response));
    }

    [Fact]
    public async Task RotateCt0_NextAnswerSetsANewCt0_AndTheOldOneStopsWorking()
    {
        (await _http.PostAsync($"/sandbox/web/accounts/{Alice.Username}/rotate-ct0", null)).EnsureSuccessStatusCode();

        using var rotated = await CreateTweetAsync(new { tweet_text = "Rotates the cookie" });
        var fresh = NewCt0(rotated);
        using var withOld = await CreateTweetAsync(new { tweet_text = "With the old cookie" });
        using var withNew = await CreateTweetAsync(new { tweet_text = "With the new cookie" }, ct0: fresh);

        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        Assert.Contains("Max-Age=157680000", rotated.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal((HttpStatusCode.Forbidden, 353), (withOld.StatusCode, await CodeAsync(withOld)));
        Assert.True(Result(await withNew.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("rest_id", out _));
    }

    [Fact]
    public async Task LogOut_TheSessionAnswers401Code32_AndANewLogInWorks()
    {
        (await _http.PostAsync($"/sandbox/web/accounts/{Bob.Username}/log-out", null)).EnsureSuccessStatusCode();

        using var loggedOut = await CreateTweetAsync(new { tweet_text = "After logout" }, Bob);
        using var login = await _http.PostAsync($"/sandbox/web/accounts/{Bob.Username}/log-in", null);
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("auth_token").GetString()!;
        using var again = await CreateTweetAsync(new { tweet_text = "After a new login" }, authToken: token);

        Assert.Equal((HttpStatusCode.Unauthorized, 32), (loggedOut.StatusCode, await CodeAsync(loggedOut)));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Matches("^[0-9a-f]{40}$", token);
    }

    [Fact]
    public async Task LockedAccount_GraphQlAnswers200Code326_UploadAnswers403Code326()
    {
        (await _http.PostAsync($"/sandbox/web/accounts/{Bob.Username}/lock", null)).EnsureSuccessStatusCode();

        using var tweet = await CreateTweetAsync(new { tweet_text = "Locked out" }, Bob);
        using var upload = await SendAsync(HttpMethod.Post, "/i/media/upload.json?command=INIT&total_bytes=10&media_type=image%2Fpng",
            authToken: Bob.WebAuthToken);

        var error = (await tweet.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0];
        Assert.Equal((HttpStatusCode.OK, 326), (tweet.StatusCode, error.GetProperty("code").GetInt32()));
        Assert.StartsWith("Authorization: Denied by access control:", error.GetProperty("message").GetString());
        Assert.Equal((HttpStatusCode.Forbidden, 326), (upload.StatusCode, await CodeAsync(upload)));
    }

    [Fact]
    public async Task LoseNextAnswer_TheCallerGetsNoAnswer_ButThePostIsOnXAndInTheUsersTweets()
    {
        (await _http.PostAsync($"/sandbox/web/accounts/{Alice.Username}/lose-next-create-tweet-answer", null)).EnsureSuccessStatusCode();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => CreateTweetAsync(new { tweet_text = "Did this go out?" }));

        using var tweets = await GraphQlGetAsync(UserTweets, new
        {
            userId = Alice.Id, count = 20, includePromotedContent = true, withQuickPromoteEligibilityTweetFields = true, withVoice = true,
        });
        var texts = TimelineTexts((await tweets.Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("data").GetProperty("user").GetProperty("result").GetProperty("timeline").GetProperty("timeline"));
        Assert.Contains("Did this go out?", texts);
    }

    [Fact]
    public async Task RateLimitNextCall_Answers429Code88WithTheWindowInHeaders_ThenServesAgain()
    {
        using var first = await CreateTweetAsync(new { tweet_text = "Counted" });
        (await _http.PostAsync($"/sandbox/web/accounts/{Alice.Username}/rate-limit-next-call", null)).EnsureSuccessStatusCode();

        using var limited = await CreateTweetAsync(new { tweet_text = "Refused" });
        using var after = await CreateTweetAsync(new { tweet_text = "Served again" });

        Assert.Equal(("100", "99"), (Header(first, "x-rate-limit-limit"), Header(first, "x-rate-limit-remaining")));
        Assert.Equal((HttpStatusCode.TooManyRequests, 88, "0"), (limited.StatusCode, await CodeAsync(limited), Header(limited, "x-rate-limit-remaining")));
        Assert.True(long.Parse(Header(limited, "x-rate-limit-reset"), CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.Equal((HttpStatusCode.OK, "98"), (after.StatusCode, Header(after, "x-rate-limit-remaining")));
    }

    [Fact]
    public async Task SearchTimeline_WindowSpent_Answers429UntilTheReset()
    {
        var variables = new { rawQuery = "anything", count = 20, querySource = "typed_query", product = "Latest" };
        for (var i = 0; i < Per15Minutes[SearchTimeline]; i++)
        {
            using var served = await GraphQlGetAsync(SearchTimeline, variables);
            Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        }

        using var spent = await GraphQlGetAsync(SearchTimeline, variables);

        Assert.Equal((HttpStatusCode.TooManyRequests, "0"), (spent.StatusCode, Header(spent, "x-rate-limit-remaining")));
    }

    [Fact]
    public async Task OutdatedQueryId_Answers404WithNoBody_OrQueryUnspecifiedWhenToldTo()
    {
        (await _http.PostAsync($"/sandbox/web/query-ids/{CreateTweet}/NewBundleQueryId00000A", null)).EnsureSuccessStatusCode();

        using var notFound = await SendAsync(HttpMethod.Post, $"/i/api/graphql/{DefaultQueryIds[CreateTweet]}/{CreateTweet}",
            Body(new { tweet_text = "Old id" }));
        (await _http.PostAsync("/sandbox/web/stale-query-answer/query-unspecified", null)).EnsureSuccessStatusCode();
        using var unspecified = await SendAsync(HttpMethod.Post, $"/i/api/graphql/{DefaultQueryIds[CreateTweet]}/{CreateTweet}",
            Body(new { tweet_text = "Old id" }));
        using var current = await SendAsync(HttpMethod.Post, $"/i/api/graphql/NewBundleQueryId00000A/{CreateTweet}", Body(new { tweet_text = "New id" }));

        Assert.Equal((HttpStatusCode.NotFound, ""), (notFound.StatusCode, await notFound.Content.ReadAsStringAsync()));
        Assert.Equal("Query: Unspecified",
            (await unspecified.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
    }

    [Fact]
    public async Task CreateTweet_FeaturesLeftOut_Answers400Code336NamingThem()
    {
        using var response = await SendAsync(HttpMethod.Post, GraphQlPath(CreateTweet),
            JsonContent.Create(new { variables = new { tweet_text = "No flags" }, queryId = DefaultQueryIds[CreateTweet] }));

        Assert.Equal((HttpStatusCode.BadRequest, 336), (response.StatusCode, await CodeAsync(response)));
        Assert.Contains("The following features cannot be null: premium_content_api_read_enabled", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Timelines_HomeUserAndSearch_ServeThePostsNewestFirstWithCursors()
    {
        await CreatedIdAsync(new { tweet_text = "Older walrus" });
        await CreatedIdAsync(new { tweet_text = "Newer walrus" });
        await CreatedIdAsync(new { tweet_text = "Bob's otter" }, Bob);

        using var home = await SendAsync(HttpMethod.Post, GraphQlPath(HomeLatestTimeline),
            Body(
                new
                {
                    count = 2, includePromotedContent = true, latestControlAvailable = true, requestContext = "launch",
                    seenTweetIds = Array.Empty<string>(),
                },
                TimelineFeatures, HomeLatestTimeline));
        using var user = await GraphQlGetAsync(UserTweets, new { userId = Alice.Id, count = 20 });
        using var search = await GraphQlGetAsync(SearchTimeline, new { rawQuery = "walrus", count = 20, querySource = "typed_query", product = "Latest" });

        var homeTimeline = (await home.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("home").GetProperty("home_timeline_urt");
        Assert.Equal(["Bob's otter", "Newer walrus"], TimelineTexts(homeTimeline));
        var bottom = homeTimeline.GetProperty("instructions")[0].GetProperty("entries").EnumerateArray()
            .Single(e => e.GetProperty("entryId").GetString()!.StartsWith("cursor-bottom", StringComparison.Ordinal))
            .GetProperty("content").GetProperty("value").GetString();
        using var next = await SendAsync(HttpMethod.Post, GraphQlPath(HomeLatestTimeline),
            Body(new { count = 2, cursor = bottom }, TimelineFeatures, HomeLatestTimeline));
        Assert.Equal(["Older walrus"], TimelineTexts((await next.Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("data").GetProperty("home").GetProperty("home_timeline_urt")));
        Assert.Equal(["Newer walrus", "Older walrus"], TimelineTexts((await user.Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("data").GetProperty("user").GetProperty("result").GetProperty("timeline").GetProperty("timeline")));
        Assert.Equal(["Newer walrus", "Older walrus"], TimelineTexts((await search.Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("data").GetProperty("search_by_raw_query").GetProperty("search_timeline").GetProperty("timeline")));
    }

    [Fact]
    public async Task Engagements_LikeRetweetBookmark_AnswerAsXAndRefuseASecondLikeOrRetweet()
    {
        var tweet = await CreatedIdAsync(new { tweet_text = "Engage with me" }, Bob);

        using var like = await GraphQlPostAsync(FavoriteTweet, new { tweet_id = tweet });
        using var retweet = await GraphQlPostAsync(CreateRetweet, new { tweet_id = tweet, dark_request = false });
        using var bookmark = await GraphQlPostAsync(CreateBookmark, new { tweet_id = tweet });
        using var likeAgain = await GraphQlPostAsync(FavoriteTweet, new { tweet_id = tweet });
        using var retweetAgain = await GraphQlPostAsync(CreateRetweet, new { tweet_id = tweet, dark_request = false });
        using var missing = await GraphQlPostAsync(FavoriteTweet, new { tweet_id = "1" });

        Assert.Equal("""{"data":{"favorite_tweet":"Done"}}""", await like.Content.ReadAsStringAsync());
        Assert.Equal("""{"data":{"tweet_bookmark_put":"Done"}}""", await bookmark.Content.ReadAsStringAsync());
        var retweeted = (await retweet.Content.ReadFromJsonAsync<JsonElement>())
            .GetProperty("data").GetProperty("create_retweet").GetProperty("retweet_results").GetProperty("result");
        Assert.Equal($"RT @{Bob.Username}: Engage with me", retweeted.GetProperty("legacy").GetProperty("full_text").GetString());
        Assert.Equal((139, 327, 144), (await CodeAsync(likeAgain), await CodeAsync(retweetAgain), await CodeAsync(missing)));
    }

    [Fact]
    public async Task DirectMessage_New2_AnswersTheMessageAndXKeepsIt()
    {
        using var response = await SendAsync(HttpMethod.Post, "/i/api/1.1/dm/new2.json?request_id=3b5a7c1e-0000-4000-8000-000000000001",
            JsonContent.Create(new
            {
                conversation_id = $"{Bob.Id}-{Alice.Id}", text = "Hello Bob", cards_platform = "Web-12", include_cards = 1, include_quote_count = true,
                dm_users = false, recipient_ids = false,
            }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var message = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries")[0].GetProperty("message");
        var data = message.GetProperty("message_data");
        Assert.Equal((Alice.Id, Bob.Id, "Hello Bob"),
            (data.GetProperty("sender_id").GetString(), data.GetProperty("recipient_id").GetString(), data.GetProperty("text").GetString()));
        Assert.Equal("3b5a7c1e-0000-4000-8000-000000000001", message.GetProperty("request_id").GetString());
        Assert.Contains(_sandbox.Services.GetRequiredService<SandboxState>().Messages, m => m.Text == "Hello Bob" && m.RecipientId == Bob.Id);
    }

    private static JsonElement Result(JsonElement body) =>
        body.GetProperty("data").GetProperty("create_tweet").GetProperty("tweet_results").GetProperty("result");

    private static List<string> TimelineTexts(JsonElement timeline) =>
        [.. timeline.GetProperty("instructions").EnumerateArray()
            .Where(i => i.GetProperty("type").GetString() == "TimelineAddEntries")
            .SelectMany(i => i.GetProperty("entries").EnumerateArray())
            .Where(e => e.GetProperty("content").GetProperty("entryType").GetString() == "TimelineTimelineItem")
            .Select(e => e.GetProperty("content").GetProperty("itemContent").GetProperty("tweet_results").GetProperty("result")
                .GetProperty("legacy").GetProperty("full_text").GetString()!)];

    private async Task<List<JsonElement>> SandboxPostsAsync() =>
        [.. (await _http.GetFromJsonAsync<JsonElement>("/sandbox/posts")).EnumerateArray()];

    private async Task<string> CreatedIdAsync(object variables, SandboxAccount? account = null)
    {
        using var response = await CreateTweetAsync(variables, account);
        return Result(await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rest_id").GetString()!;
    }

    private Task<HttpResponseMessage> CreateTweetAsync(object variables, SandboxAccount? account = null, string? authToken = null, string ct0 = Ct0)
    {
        var full = JsonSerializer.SerializeToElement(variables);
        var merged = new Dictionary<string, object?>
        {
            ["media"] = new { media_entities = Array.Empty<object>(), possibly_sensitive = false },
            ["semantic_annotation_ids"] = Array.Empty<object>(),
            ["dark_request"] = false,
        };
        foreach (var property in full.EnumerateObject())
        {
            merged[property.Name] = property.Value;
        }
        return SendAsync(HttpMethod.Post, GraphQlPath(CreateTweet), Body(merged), authToken: authToken ?? (account ?? Alice).WebAuthToken, ct0: ct0);
    }

    private Task<HttpResponseMessage> GraphQlPostAsync(string operation, object variables) =>
        SendAsync(HttpMethod.Post, GraphQlPath(operation), Body(variables, null, operation));

    private Task<HttpResponseMessage> GraphQlGetAsync(string operation, object variables) =>
        SendAsync(HttpMethod.Get, GraphQlPath(operation)
            + $"?variables={Uri.EscapeDataString(JsonSerializer.Serialize(variables))}"
            + $"&features={Uri.EscapeDataString(JsonSerializer.Serialize(TimelineFeatures))}");

    private static string GraphQlPath(string operation) => $"/i/api/graphql/{DefaultQueryIds[operation]}/{operation}";

    private static JsonContent Body(object variables, IReadOnlyDictionary<string, bool>? features = null, string operation = CreateTweet) =>
        JsonContent.Create(new { variables, features = features ?? (operation == CreateTweet ? TweetFeatures : null), queryId = DefaultQueryIds[operation] });

    // The headers x.com's web client sends with every call of a logged-in session.
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null,
        string? authToken = null, string ct0 = Ct0, string? csrf = null, string? bearer = WebBearerToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        request.Headers.Add("Cookie", $"auth_token={authToken ?? Alice.WebAuthToken}; ct0={ct0}");
        request.Headers.Add("x-csrf-token", csrf ?? ct0);
        request.Headers.Add("x-twitter-auth-type", "OAuth2Session");
        request.Headers.Add("x-twitter-active-user", "yes");
        request.Headers.Add("x-twitter-client-language", "en");
        return await _http.SendAsync(request);
    }

    private static async Task<int> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors")[0].GetProperty("code").GetInt32();

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static string NewCt0(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single().Split(';')[0]["ct0=".Length..];
}
