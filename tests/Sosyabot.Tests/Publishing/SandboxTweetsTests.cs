using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;
using Sosyabot.XSandbox;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Sosyabot.Tests.Publishing;

// The XSandbox creates, serves and deletes posts as X does, and XClient reads and deletes them.
public sealed class SandboxTweetsTests : IAsyncLifetime
{
    private const string AliceToken = "alice-test-token";
    private const string BobToken = "bob-test-token";
    private readonly WebApplication _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    private static readonly SandboxAccount Alice = SandboxState.Accounts[0];
    private static readonly XAuth AsAlice = new XAuth.Bearer(AliceToken);
    private HttpClient _http = null!;
    private XClient _x = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        var state = _sandbox.Services.GetRequiredService<SandboxState>();
        state.AccessTokens[AliceToken] = new AccessToken(new Grant(Alice, "tweet.read tweet.write users.read"), DateTimeOffset.MaxValue);
        state.AccessTokens[BobToken] = new AccessToken(new Grant(SandboxState.Accounts[1], "tweet.read tweet.write users.read"), DateTimeOffset.MaxValue);
        var address = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _http = new HttpClient { BaseAddress = address };
        _x = NewXClient(address);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task CreateTweet_WithLinkAndAmpersand_AnswersTheTextAsXRewritesIt()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/tweets")
        {
            Content = JsonContent.Create(new { text = "Read this & that: https://example.com/a?b=1&c=2 <now>" }),
        };
        request.Headers.Authorization = new("Bearer", AliceToken);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var text = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data").GetProperty("text").GetString();
        Assert.Matches(@"^Read this &amp; that: https://t\.co/[A-Za-z0-9]{10} &lt;now&gt;$", text);
    }

    [Fact]
    public async Task RecentTweets_PostWithLinks_ComeWithEntitiesThatMatchTheSentText()
    {
        const string sent = "Read this & that: https://example.com/a?b=1&c=2 and example.org/x <now>";
        await _x.CreateTweetAsync(AsAlice, new XTweetDraft(sent), CancellationToken.None);

        var tweet = Assert.Single(await _x.GetRecentTweetsAsync(AsAlice, Alice.Id, DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None));

        var urls = tweet.Entities!.Urls!;
        Assert.Equal(["https://example.com/a?b=1&c=2", "http://example.org/x"], urls.Select(u => u.ExpandedUrl));
        Assert.Equal(["example.com/a?b=1&c=2", "example.org/x"], urls.Select(u => u.DisplayUrl));
        Assert.Equal((18, 41), (urls[0].Start, urls[0].End));
        Assert.All(urls, u => Assert.Contains(u.Url, tweet.Text));
        Assert.True(SentTextMatch.IsSameText(sent, tweet));
    }

    [Fact]
    public async Task CreateTweet_SameTextTwice_IsRefusedAsDuplicateAlthoughItsLinksAreWrappedAnew()
    {
        var draft = new XTweetDraft("Twice: https://example.com/twice");
        await _x.CreateTweetAsync(AsAlice, draft, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<XApiException>(() => _x.CreateTweetAsync(AsAlice, draft, CancellationToken.None));

        Assert.True(refused.IsDuplicateContent);
    }

    [Fact]
    public async Task DeleteTweet_OwnPost_IsGoneFromTimelineAndStartPageWithTheDeleteWindowInHeaders()
    {
        const string text = "Soon gone & forgotten";
        var created = await _x.CreateTweetAsync(AsAlice, new XTweetDraft(text), CancellationToken.None);

        var limits = await _x.DeleteTweetAsync(AsAlice, created.Id, CancellationToken.None);

        Assert.Equal((50, 49), (limits.Endpoint!.Limit, limits.Endpoint.Remaining));
        var timeline = await _x.GetUserTweetsAsync(AsAlice, Alice.Id, new XPageRequest(100, null), CancellationToken.None);
        Assert.DoesNotContain(timeline.Tweets, t => t.Id == created.Id);
        Assert.DoesNotContain("Soon gone &amp; forgotten", await _http.GetStringAsync("/"));
    }

    [Fact]
    public async Task DeleteTweet_AlreadyGone_CountsAsDeleted()
    {
        var created = await _x.CreateTweetAsync(AsAlice, new XTweetDraft("Deleted twice"), CancellationToken.None);
        await _x.DeleteTweetAsync(AsAlice, created.Id, CancellationToken.None);

        var again = await _x.DeleteTweetAsync(AsAlice, created.Id, CancellationToken.None);

        Assert.NotNull(again.Endpoint);
    }

    [Fact]
    public async Task DeleteTweet_AnotherAccountsPost_IsRefusedAndTheTweetStays()
    {
        var created = await _x.CreateTweetAsync(new XAuth.Bearer(BobToken), new XTweetDraft("Bob's own"), CancellationToken.None);

        var refused = await Assert.ThrowsAsync<XApiException>(() => _x.DeleteTweetAsync(AsAlice, created.Id, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
        Assert.Contains(_sandbox.Services.GetRequiredService<SandboxState>().Posts, p => p.Id == created.Id);
    }

    [Fact]
    public async Task StartPage_PostWithAmpersandAndLink_ShowsTheTextEncodedOnce()
    {
        await _x.CreateTweetAsync(AsAlice, new XTweetDraft("Tom & Jerry <3 https://example.com/tj"), CancellationToken.None);

        var page = await _http.GetStringAsync("/");

        Assert.Contains("Tom &amp; Jerry &lt;3 https://example.com/tj", page);
        Assert.DoesNotContain("&amp;amp;", page);
    }

    [Fact]
    public async Task DeleteTweet_XAnswersDeletedFalse_Throws()
    {
        using var x = WireMockServer.Start();
        x.Given(Request.Create().WithPath("/2/tweets/42").UsingDelete())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { data = new { deleted = false } }));

        var refused = await Assert.ThrowsAsync<XApiException>(() => NewXClient(new Uri(x.Url!)).DeleteTweetAsync(AsAlice, "42", CancellationToken.None));

        Assert.Equal("not_deleted", refused.Error);
    }

    private static XClient NewXClient(Uri baseAddress) =>
        new(new HttpClient(new XRequestSigner(TimeProvider.System) { InnerHandler = new HttpClientHandler() }) { BaseAddress = baseAddress },
            Options.Create(new XOptions()), TimeProvider.System);
}
