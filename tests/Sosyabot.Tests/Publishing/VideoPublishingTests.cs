using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;
using WireMock.Util;

namespace Sosyabot.Tests.Publishing;

// A video goes to X in 1 MB chunks as tweet_video, and the post waits for X's processing: STATUS is asked no
// sooner than each check_after_secs (on the app's clock, which the test moves), and the tweet is posted only
// once X says succeeded. A failed processing fails the delivery with X's reason.
public sealed class VideoPublishingTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private const string MediaId = "1880028106020737024";
    private FakeXPosts _x = null!;
    private Channel _channel = null!;
    // The app's clock when X received each media call, in order.
    private readonly ConcurrentQueue<(string Call, DateTimeOffset At)> _calls = new();

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await using (var cleanup = app.Database.CreateDbContext())
        {
            await cleanup.Posts.ExecuteDeleteAsync();
            await cleanup.RateBudgets.Where(b => b.Key.StartsWith("tweets:app:")).ExecuteDeleteAsync();
        }
        await XConnectFlow.ConfigureIntegrationAsync(app);
        var xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var handle = "vid_" + xUserId;
        app.GivenTokenEndpointIssues("video-token-" + xUserId, expiresIn: 86_400 * 30);
        app.GivenUsersMe(xUserId, handle);
        var user = await app.RegisterAsync($"vid-{Guid.NewGuid():N}@sosyabot.test");
        var page = await XConnectFlow.ConnectAsync(user);
        Assert.Equal("active", XConnectFlow.StateBadge(page, handle));
        await using var db = app.Database.CreateDbContext();
        _channel = await db.Channels.AsNoTracking().SingleAsync(c => c.XUserId == xUserId);
        app.X.Reset();
        _x = new FakeXPosts(app.Clock);
        _x.Install(app.X);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Publish_Video_ChunkedAsTweetVideoPollsStatusPerCheckAfterSecsAndPostsOnlyOnceSucceeded()
    {
        GivenVideoProcessing(
            new { state = "pending", check_after_secs = 5 },
            new { state = "in_progress", check_after_secs = 10, progress_percent = 40 },
            new { state = "succeeded", progress_percent = 100 });
        var video = TestImages.Mp4((2 * 1024 * 1024) + 300);
        var deliveryId = await QueueAsync("A clip of the launch", new MediaDraft("launch.mp4", video, "The rocket lifting off"));

        await DrainMovingTheClockAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        using var initialize = JsonDocument.Parse(Assert.Single(PostsTo("/2/media/upload/initialize")).RequestMessage.Body!);
        Assert.Equal("video/mp4", initialize.RootElement.GetProperty("media_type").GetString());
        Assert.Equal("tweet_video", initialize.RootElement.GetProperty("media_category").GetString());
        Assert.Equal(video.Length, initialize.RootElement.GetProperty("total_bytes").GetInt32());
        var chunks = PostsTo($"/2/media/upload/{MediaId}/append").Select(e => e.RequestMessage.BodyAsBytes!.Length).ToList();
        Assert.Equal(3, chunks.Count);
        Assert.All(chunks.Take(2), length => Assert.InRange(length, 1024 * 1024, (1024 * 1024) + 1024));

        var calls = _calls.ToList();
        Assert.Equal(["finalize", "status", "status", "tweet"], calls.Select(c => c.Call));
        Assert.True(calls[1].At - calls[0].At >= TimeSpan.FromSeconds(5), $"first STATUS {calls[1].At - calls[0].At} after finalize");
        Assert.True(calls[2].At - calls[1].At >= TimeSpan.FromSeconds(10), $"second STATUS {calls[2].At - calls[1].At} after the first");
        using var tweet = JsonDocument.Parse(Assert.Single(PostsTo("/2/tweets")).RequestMessage.Body!);
        Assert.Equal(MediaId, tweet.RootElement.GetProperty("media").GetProperty("media_ids")[0].GetString());
        using var metadata = JsonDocument.Parse(Assert.Single(PostsTo("/2/media/metadata")).RequestMessage.Body!);
        Assert.Equal("The rocket lifting off", metadata.RootElement.GetProperty("metadata").GetProperty("alt_text").GetProperty("text").GetString());
    }

    [Fact]
    public async Task Publish_VideoProcessingFails_DeliveryFailsWithXsReasonAndNothingIsPosted()
    {
        GivenVideoProcessing(
            new { state = "pending", check_after_secs = 2 },
            new { state = "failed", progress_percent = 12, error = new { code = 1, name = "InvalidMedia", message = "Unsupported video format" } });
        var deliveryId = await QueueAsync("A clip X cannot read", new MediaDraft("odd.mp4", TestImages.Mp4(4096), null));

        await DrainMovingTheClockAsync();

        var failed = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Failed, failed.State);
        Assert.Contains("X could not process the video: Unsupported video format.", failed.Reason);
        Assert.Empty(PostsTo("/2/tweets"));
    }

    [Fact]
    public async Task Publish_VideoRetriedAfterA503_ReusesTheProcessedMediaId()
    {
        GivenVideoProcessing(new { state = "pending", check_after_secs = 1 }, new { state = "succeeded", progress_percent = 100 });
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .InScenario("video-retry").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(503).WithBodyAsJson(new { title = "Service Unavailable", status = 503 }));
        var deliveryId = await QueueAsync("Retried with its video", new MediaDraft("clip.mp4", TestImages.Mp4(5000), null));

        await DrainMovingTheClockAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(3));
        await DrainMovingTheClockAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Single(PostsTo("/2/media/upload/initialize"));
        Assert.Single(_x.Created);
    }

    // initialize, append and metadata answer at once; finalize answers the first processing_info, each STATUS the next.
    private void GivenVideoProcessing(params object[] processing)
    {
        var polls = 0;
        app.X.Given(Request.Create().WithPath("/2/media/upload/initialize").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { id = MediaId, media_key = "7_" + MediaId, expires_after_secs = 86400 } }));
        app.X.Given(Request.Create().WithPath($"/2/media/upload/{MediaId}/append").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { expires_at = 1_900_000_000 } }));
        app.X.Given(Request.Create().WithPath($"/2/media/upload/{MediaId}/finalize").UsingPost())
            .RespondWith(Response.Create().WithCallback(_ => Processing("finalize", processing[0])));
        app.X.Given(Request.Create().WithPath("/2/media/upload").WithParam("command", "STATUS").WithParam("media_id", MediaId).UsingGet())
            .RespondWith(Response.Create().WithCallback(_ => Processing("status", processing[Math.Min(Interlocked.Increment(ref polls), processing.Length - 1)])));
        app.X.Given(Request.Create().WithPath("/2/media/metadata").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { associated_metadata = true } }));
        // Ahead of FakeXPosts (priority 10), which answers it: the tweet's time is noted among the media calls.
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(9)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                _calls.Enqueue(("tweet", app.Clock.GetUtcNow()));
                return _x.Respond(request);
            }));
    }

    private ResponseMessage Processing(string call, object info)
    {
        _calls.Enqueue((call, app.Clock.GetUtcNow()));
        var message = new ResponseMessage
        {
            StatusCode = 200,
            BodyData = new BodyData
            {
                BodyAsString = JsonSerializer.Serialize(new
                {
                    data = new { id = MediaId, media_key = "7_" + MediaId, size = 1, expires_after_secs = 86400, processing_info = info },
                }),
                DetectedBodyType = BodyType.String,
            },
        };
        message.AddHeader("Content-Type", "application/json");
        return message;
    }

    // The publisher waits on the app's clock between STATUS calls: moved a second at a time until the drain ends.
    private async Task DrainMovingTheClockAsync()
    {
        var drain = app.Services.GetRequiredService<Publisher>().DrainAsync();
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!drain.IsCompleted && DateTime.UtcNow < deadline)
        {
            await Task.WhenAny(drain, Task.Delay(25));
            if (!drain.IsCompleted)
            {
                app.Clock.Advance(TimeSpan.FromSeconds(1));
            }
        }
        await drain;
    }

    private async Task<Guid> QueueAsync(string text, MediaDraft media)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
            _channel.WorkspaceId, _channel.ConnectedByUserId, new PostDraft([text], [_channel.Id], null, "UTC", [media]), CancellationToken.None);
        return post.Deliveries.Single().Id;
    }

    private async Task<Delivery> DeliveryAsync(Guid id)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    private List<WireMock.Logging.ILogEntry> PostsTo(string path) =>
        app.X.LogEntries.Where(e => e.RequestMessage.Path == path && e.RequestMessage.Method == "POST").ToList();
}
