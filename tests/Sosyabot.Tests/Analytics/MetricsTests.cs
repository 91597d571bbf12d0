using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Analytics;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Analytics;

// Reading X's public metrics: what is asked of X (batches, schedule, the off switch, 429s), what is stored, and what
// each workspace sees on its pages and in its CSV.
public sealed class MetricsTests(AppWithFakeXMetrics app) : IClassFixture<AppWithFakeXMetrics>, IAsyncLifetime
{
    private FakeXMetrics _metrics = null!;
    private BrowserClient _user = null!;
    private Channel _channel = null!;
    private static long _nextTweetId = 1_950_000_000_000_000_000;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await using (var cleanup = app.Database.CreateDbContext())
        {
            // Every test's workspace is its own, but the fetcher reads all that are on: earlier tests' posts must not be read again.
            await cleanup.Posts.ExecuteDeleteAsync();
        }
        await XConnectFlow.ConfigureIntegrationAsync(app);
        (_user, _channel) = await UserWithChannelAsync("metrics");
        _metrics = new FakeXMetrics(app.Clock);
        _metrics.Install(app.X);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task FetchDue_MetricsOffForTheWorkspace_AsksXNothing()
    {
        var tweet = await PublishedAsync(_channel, "Nobody asked", TimeSpan.FromMinutes(5));
        _metrics.Likes[tweet] = 7;

        Assert.Equal(0, await FetchDueAsync());

        Assert.Empty(Lookups());
        Assert.Contains("Metrics are <strong>off</strong>", await (await _user.GetAsync("/app/analytics")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task FetchDue_InstanceIntervalZero_AsksXNothingEvenForAWorkspaceThatIsOn()
    {
        await TurnMetricsOnAsync(_user);
        var tweet = await PublishedAsync(_channel, "Instance says no", TimeSpan.FromMinutes(5));
        _metrics.Likes[tweet] = 7;
        await using var scope = app.Services.CreateAsyncScope();
        var off = ActivatorUtilities.CreateInstance<MetricsFetcher>(
            scope.ServiceProvider, Microsoft.Extensions.Options.Options.Create(new AnalyticsOptions { IntervalMinutes = 0 }));

        Assert.Equal(0, await off.FetchDueAsync(CancellationToken.None));
        Assert.Equal(0, await off.FetchNowAsync(_channel.WorkspaceId, CancellationToken.None));

        Assert.Empty(Lookups());
    }

    [Fact]
    public async Task FetchDue_150Posts_TwoLookupsOf100And50WithPublicMetricsAndTheChannelsToken()
    {
        await TurnMetricsOnAsync(_user);
        var tweets = new List<string>();
        for (var i = 0; i < 150; i++)
        {
            var tweet = await PublishedAsync(_channel, $"Post {i}", TimeSpan.FromMinutes(10));
            _metrics.Likes[tweet] = i;
            tweets.Add(tweet);
        }

        Assert.Equal(150, await FetchDueAsync());

        var lookups = Lookups();
        Assert.Equal([100, 50], lookups.Select(l => Ids(l).Count).Order().Reverse());
        Assert.All(lookups, l => Assert.Equal("public_metrics", l.RequestMessage.Query!["tweet.fields"].Single()));
        Assert.All(lookups, l => Assert.Equal("Bearer metrics-token", l.RequestMessage.Headers!["Authorization"].Single()));
        Assert.Equal(tweets.Order(), lookups.SelectMany(Ids).Order());
        await using var db = app.Database.CreateDbContext();
        var stored = await db.MetricSnapshots.Where(s => s.ChannelId == _channel.Id).ToListAsync();
        Assert.Equal(150, stored.Count);
        var last = stored.Single(s => s.TweetId == tweets[149]);
        Assert.Equal((149L, 1490L, 2L, 3L, 4L, 5L), (last.Likes, last.Impressions, last.Reposts, last.Replies, last.Quotes, last.Bookmarks));
        var usage = await db.ChannelMetricsUsage.SingleAsync(u => u.ChannelId == _channel.Id);
        Assert.Equal((2L, 150L), (usage.Requests, usage.PostsRead));
    }

    [Fact]
    public async Task FetchDue_FreshAndWeekOldPosts_FreshReadEveryIntervalOlderEverySixIntervals()
    {
        await TurnMetricsOnAsync(_user);
        var fresh = await PublishedAsync(_channel, "Fresh", TimeSpan.FromMinutes(1));
        var older = await PublishedAsync(_channel, "Three days old", TimeSpan.FromDays(3));
        var tooOld = await PublishedAsync(_channel, "Two months old", TimeSpan.FromDays(60));
        _metrics.Likes[fresh] = 1;
        _metrics.Likes[older] = 2;
        _metrics.Likes[tooOld] = 3;

        Assert.Equal(2, await FetchDueAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await FetchDueAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(31));
        _metrics.Likes[fresh] = 11;
        Assert.Equal(1, await FetchDueAsync());
        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(2, await FetchDueAsync());

        Assert.DoesNotContain(tooOld, Lookups().SelectMany(Ids));
        await using var db = app.Database.CreateDbContext();
        Assert.Equal([1L, 11L, 11L], await db.MetricSnapshots.Where(s => s.TweetId == fresh).OrderBy(s => s.FetchedAt).Select(s => s.Likes).ToListAsync());
        Assert.Equal(2, await db.MetricSnapshots.CountAsync(s => s.TweetId == older));
    }

    [Fact]
    public async Task FetchDue_XLacksOneOfThePosts_StoresTheOtherAndSaysWhyOnTheAnalyticsPage()
    {
        await TurnMetricsOnAsync(_user);
        var kept = await PublishedAsync(_channel, "Still there", TimeSpan.FromMinutes(5));
        await PublishedAsync(_channel, "Deleted on X", TimeSpan.FromMinutes(5));
        _metrics.Likes[kept] = 9;

        Assert.Equal(1, await FetchDueAsync());

        var page = await _user.GetDocumentAsync("/app/analytics");
        var note = page.QuerySelector($"section.channel-metrics[data-handle='{_channel.Handle}'] .usage-note")!.TextContent;
        Assert.Contains("X did not return 1 post (Not Found Error: Could not find tweet with ids:", note);
        Assert.Equal("9", page.QuerySelector($"#post-metrics tr[data-tweet-id='{kept}'] td:nth-child(5)")!.TextContent);
    }

    [Fact]
    public async Task FetchDue_XAnswers429_NothingMoreUntilXsResetThenReadsAgain()
    {
        await TurnMetricsOnAsync(_user);
        var tweet = await PublishedAsync(_channel, "Popular", TimeSpan.FromMinutes(5));
        _metrics.Likes[tweet] = 5;
        _metrics.RefuseUntil = app.Clock.GetUtcNow().AddMinutes(10);

        Assert.Equal(0, await FetchDueAsync());
        app.Clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await FetchDueAsync());
        Assert.Single(Lookups());

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Equal(1, await FetchDueAsync());

        Assert.Equal(2, Lookups().Count);
        var page = await _user.GetDocumentAsync("/app/analytics");
        Assert.Null(page.QuerySelector($"section.channel-metrics[data-handle='{_channel.Handle}'] .usage-note"));
    }

    [Fact]
    public async Task FetchDue_CookieChannel_IsSkippedWithTheNoteThatMetricsNeedAnApiConnection()
    {
        await TurnMetricsOnAsync(_user);
        Channel cookie;
        await using (var db = app.Database.CreateDbContext())
        {
            cookie = new Channel
            {
                WorkspaceId = _channel.WorkspaceId, XUserId = NextTweetId()[..12], Kind = ChannelKind.Cookie,
                Handle = "cookie_" + Guid.NewGuid().ToString("N")[..6],
                DisplayName = "Cookie", ConnectedByUserId = _channel.ConnectedByUserId, ConnectedAt = app.Clock.GetUtcNow(),
            };
            db.Channels.Add(cookie);
            await db.SaveChangesAsync();
        }
        var tweet = await PublishedAsync(cookie, "Through the web path", TimeSpan.FromMinutes(5));
        _metrics.Likes[tweet] = 1;

        Assert.Equal(0, await FetchDueAsync());

        Assert.Empty(Lookups());
        var page = await _user.GetDocumentAsync("/app/analytics");
        Assert.Equal(MetricsFetcher.CookieChannelNote,
            page.QuerySelector($"section.channel-metrics[data-handle='{cookie.Handle}'] .usage-note")!.TextContent.Trim());
    }

    [Fact]
    public async Task Pages_AfterTwoReadings_PostPageShowsLatestNumbersAndTwoChartPoints()
    {
        await TurnMetricsOnAsync(_user);
        var postId = Guid.Empty;
        var tweet = await PublishedAsync(_channel, "Watch the numbers", TimeSpan.FromMinutes(5), id => postId = id);
        _metrics.Likes[tweet] = 3;
        await FetchNowAsync(_user);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        _metrics.Likes[tweet] = 42;
        await FetchNowAsync(_user);

        var page = await _user.GetDocumentAsync($"/app/publishing/posts/{postId}");

        Assert.Equal("42", page.QuerySelector("#post-metrics dd[data-metric='likes']")!.TextContent);
        Assert.Equal("420", page.QuerySelector("#post-metrics dd[data-metric='impressions']")!.TextContent);
        var chart = page.QuerySelector("#post-metrics canvas.metrics-chart")!;
        Assert.Equal("2", chart.GetAttribute("data-points"));
        Assert.Contains("\"likes\":[3,42]", chart.GetAttribute("data-chart"));
        Assert.NotNull(page.QuerySelector("script[src^='/lib/chart.js']"));
    }

    [Fact]
    public async Task Isolation_AnotherWorkspace_SeesNeitherThePostsMetricsNorItsRowsInTheCsv()
    {
        await TurnMetricsOnAsync(_user);
        var postId = Guid.Empty;
        var tweet = await PublishedAsync(_channel, "Only ours", TimeSpan.FromMinutes(5), id => postId = id);
        _metrics.Likes[tweet] = 8;
        await FetchNowAsync(_user);
        var (other, _) = await UserWithChannelAsync("other");

        var otherPage = await (await other.GetAsync("/app/analytics")).Content.ReadAsStringAsync();
        var otherCsv = await (await other.GetAsync("/app/analytics/export.csv")).Content.ReadAsStringAsync();
        using var otherPost = await other.GetAsync($"/app/publishing/posts/{postId}");
        var ownCsv = await (await _user.GetAsync("/app/analytics/export.csv")).Content.ReadAsStringAsync();

        Assert.DoesNotContain("Only ours", otherPage);
        Assert.DoesNotContain(tweet, otherPage);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, otherPost.StatusCode);
        Assert.Single(otherCsv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(tweet, ownCsv);
    }

    [Fact]
    public async Task Export_TextThatLooksLikeAFormula_IsQuotedAndDefused()
    {
        await TurnMetricsOnAsync(_user);
        var tweet = await PublishedAsync(_channel, "=HYPERLINK(\"http://evil.example\",\"click\"), then\nmore", TimeSpan.FromMinutes(5));
        _metrics.Likes[tweet] = 4;
        await FetchNowAsync(_user);

        using var response = await _user.GetAsync("/app/analytics/export.csv");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString());
        var lines = csv.Split("\r\n");
        Assert.Equal("fetched_at_utc,post_id,channel,tweet_id,published_at_utc,impressions,likes,reposts,replies,quotes,bookmarks,text", lines[0]);
        Assert.Contains($",{_channel.Handle},{tweet},", lines[1]);
        Assert.EndsWith(",40,4,2,3,4,5,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\"), then\nmore\"", lines[1]);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("-a,\"b\"", "\"'-a,\"\"b\"\"\"")]
    public void CsvText_FormulaAndSeparators_AreDefusedAndQuoted(string text, string expected) => Assert.Equal(expected, Csv.Text(text));

    private List<WireMock.Logging.ILogEntry> Lookups() =>
        [.. app.X.LogEntries.Where(e => e.RequestMessage.Method == "GET" && e.RequestMessage.Path == "/2/tweets")];

    // WireMock splits a query value at its commas.
    private static List<string> Ids(WireMock.Logging.ILogEntry lookup) => [.. lookup.RequestMessage.Query!["ids"].SelectMany(v => v.Split(','))];

    private async Task<int> FetchDueAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MetricsFetcher>().FetchDueAsync(CancellationToken.None);
    }

    private static async Task TurnMetricsOnAsync(BrowserClient user)
    {
        var page = await user.GetDocumentAsync("/app/analytics");
        using var response = await user.SubmitAsync(page, "#toggle-metrics");
        Assert.Contains("Metrics are on", await response.Content.ReadAsStringAsync());
    }

    private static async Task FetchNowAsync(BrowserClient user)
    {
        var page = await user.GetDocumentAsync("/app/analytics");
        using var response = await user.SubmitAsync(page, "#fetch-now");
        Assert.Contains("Read the metrics of", await response.Content.ReadAsStringAsync());
    }

    private async Task<(BrowserClient User, Channel Channel)> UserWithChannelAsync(string name)
    {
        var user = await app.RegisterAsync($"{name}-{Guid.NewGuid():N}@sosyabot.test");
        var xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        // A token that outlives the schedule tests' hours: a lapsed one would pause metrics (as it should) and hide what they check.
        app.GivenTokenEndpointIssues("metrics-token", expiresIn: 7 * 86_400);
        app.GivenUsersMe(xUserId, "metrics_" + xUserId);
        await XConnectFlow.ConnectAsync(user);
        await using var db = app.Database.CreateDbContext();
        return (user, await db.Channels.AsNoTracking().SingleAsync(c => c.XUserId == xUserId));
    }

    // A post the publisher sent ago: the rows it leaves behind, with X's tweet id.
    private async Task<string> PublishedAsync(Channel channel, string text, TimeSpan ago, Action<Guid>? postId = null)
    {
        var at = app.Clock.GetUtcNow() - ago;
        var tweetId = NextTweetId();
        var post = new Post { WorkspaceId = channel.WorkspaceId, CreatedByUserId = channel.ConnectedByUserId, CreatedAt = at, DueAt = at, Parts = [text] };
        post.Deliveries.Add(new Delivery
        {
            PostId = post.Id, WorkspaceId = channel.WorkspaceId, ChannelId = channel.Id, State = DeliveryStates.Published, DueAt = at, PublishedAt = at,
            TweetIds = [tweetId],
        });
        await using var db = app.Database.CreateDbContext();
        db.Posts.Add(post);
        await db.SaveChangesAsync();
        postId?.Invoke(post.Id);
        return tweetId;
    }

    private static string NextTweetId() => Interlocked.Increment(ref _nextTweetId).ToString(CultureInfo.InvariantCulture);
}
