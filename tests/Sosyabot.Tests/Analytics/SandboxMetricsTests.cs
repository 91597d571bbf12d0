using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Sosyabot.Web.X;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Analytics;

// The XSandbox serves GET /2/tweets?ids=&tweet.fields=public_metrics as X does, with numbers that grow with its
// clock or that a test sets, and XClient reads it.
public sealed class SandboxMetricsTests : IAsyncLifetime
{
    private const string AliceToken = "alice-metrics-token";
    private static readonly SandboxAccount Alice = SandboxState.Accounts[0];
    private static readonly XAuth AsAlice = new XAuth.Bearer(AliceToken);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly WebApplication _sandbox;
    private HttpClient _http = null!;
    private XClient _x = null!;

    public SandboxMetricsTests()
    {
        _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        var state = _sandbox.Services.GetRequiredService<SandboxState>();
        state.AccessTokens[AliceToken] = new AccessToken(new Grant(Alice, "tweet.read tweet.write users.read"), DateTimeOffset.MaxValue);
        var address = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _http = new HttpClient { BaseAddress = address };
        _x = new XClient(new HttpClient(new XRequestSigner(_clock) { InnerHandler = new HttpClientHandler() }) { BaseAddress = address },
            Options.Create(new XOptions()), _clock);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task Lookup_OnePostKnownOneNot_DataWithGrowingMetricsAndXsPartialError()
    {
        var posted = await _x.CreateTweetAsync(AsAlice, new XTweetDraft("Count me & mine"), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(30));

        var first = await _x.GetTweetMetricsAsync(AsAlice, [posted.Id, "1234567890123456789"], CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(30));
        var later = await _x.GetTweetMetricsAsync(AsAlice, [posted.Id], CancellationToken.None);

        var metrics = Assert.Single(first.Found);
        Assert.Equal(posted.Id, metrics.TweetId);
        Assert.Equal(new XPublicMetrics(301, 10, 3, 2, 1, 1), metrics.Metrics);
        var missing = Assert.Single(first.Missing);
        Assert.Equal(("1234567890123456789", "Not Found Error", "Could not find tweet with ids: [1234567890123456789]."),
            (missing.TweetId, missing.Title, missing.Detail));
        Assert.True(missing.IsNotFound);
        Assert.True(later.Found[0].Metrics.LikeCount > metrics.Metrics.LikeCount);
        Assert.Equal((5000, 4999), (first.RateLimits.Endpoint!.Limit, first.RateLimits.Endpoint.Remaining));
    }

    [Fact]
    public async Task Lookup_NumbersSetThroughTheHook_AreServedAsSetWithXsShapeAndText()
    {
        var posted = await _x.CreateTweetAsync(AsAlice, new XTweetDraft("Set <these> https://example.com/x"), CancellationToken.None);
        using var set = await _http.PostAsJsonAsync($"/sandbox/metrics/{posted.Id}", new
        {
            retweet_count = 7, reply_count = 8, like_count = 42, quote_count = 9, bookmark_count = 10, impression_count = 1234,
        });
        set.EnsureSuccessStatusCode();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/2/tweets?ids={posted.Id}&tweet.fields=public_metrics");
        request.Headers.Authorization = new("Bearer", AliceToken);

        using var response = await _http.SendAsync(request);

        var tweet = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0];
        Assert.Matches(@"^Set &lt;these&gt; https://t\.co/[A-Za-z0-9]{10}$", tweet.GetProperty("text").GetString());
        Assert.Equal(posted.Id, tweet.GetProperty("edit_history_tweet_ids")[0].GetString());
        Assert.Equal(42, tweet.GetProperty("public_metrics").GetProperty("like_count").GetInt32());
        Assert.Equal(1234, tweet.GetProperty("public_metrics").GetProperty("impression_count").GetInt32());
        Assert.True(response.Headers.Contains("x-rate-limit-reset"));
    }

    [Fact]
    public async Task Lookup_NoneFound_IsA200WithOnlyErrors()
    {
        var lookup = await _x.GetTweetMetricsAsync(AsAlice, ["1", "2"], CancellationToken.None);

        Assert.Empty(lookup.Found);
        Assert.Equal(["1", "2"], lookup.Missing.Select(m => m.TweetId));
    }

    [Fact]
    public async Task Lookup_MoreThan100Ids_SandboxAnswers400AndXClientRefusesBeforeSending()
    {
        var ids = Enumerable.Range(1, 101).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/2/tweets?ids={string.Join(',', ids)}&tweet.fields=public_metrics");
        request.Headers.Authorization = new("Bearer", AliceToken);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Invalid Request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _x.GetTweetMetricsAsync(AsAlice, ids, CancellationToken.None));
    }

    [Fact]
    public async Task Lookup_WithoutCredentials_Is401()
    {
        using var response = await _http.GetAsync("/2/tweets?ids=1&tweet.fields=public_metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
