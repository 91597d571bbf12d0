using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Types;

namespace Sosyabot.Tests.Publishing;

public sealed class PublisherTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private FakeXPosts _x = null!;
    private Channel _channel = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        // The publisher sends whatever is due in the database: start every test with an empty queue.
        await using (var cleanup = app.Database.CreateDbContext())
        {
            await cleanup.Posts.ExecuteDeleteAsync();
            // The app's 24-hour window is shared by every channel of the class: each test starts with it unspent.
            await cleanup.RateBudgets.Where(b => b.Key.StartsWith("tweets:app:")).ExecuteDeleteAsync();
        }
        await XConnectFlow.ConfigureIntegrationAsync(app);
        var xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var handle = "pub_" + xUserId;
        app.GivenTokenEndpointIssues("publish-token-" + xUserId, expiresIn: 86_400 * 30);
        app.GivenUsersMe(xUserId, handle);
        var user = await app.RegisterAsync($"pub-{Guid.NewGuid():N}@sosyabot.test");
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
    public async Task Publish_150PostsForOneUser_Sends100InFirstWindowAndTheRestAfterReset()
    {
        for (var i = 0; i < 150; i++)
        {
            await QueueAsync($"Post number {i}");
        }

        await DrainAsync();
        Assert.Equal(100, _x.Created.Count);
        Assert.Equal(0, _x.Rejected429);
        Assert.Equal(50, await CountAsync(DeliveryStates.WaitingForRateLimit));

        app.Clock.Advance(TimeSpan.FromMinutes(15));
        await DrainAsync();

        Assert.Equal(150, _x.Created.Count);
        Assert.Equal(0, _x.Rejected429);
        Assert.Equal(150, await CountAsync(DeliveryStates.Published));
        Assert.Equal(150, _x.Created.Select(t => t.Text).Distinct().Count());
    }

    [Fact]
    public async Task Publish_ManyPostsOfOneAccountDueTogether_GoInDueOrder()
    {
        // The publisher works on several accounts at once; one account's posts must still go one after another.
        var start = app.Clock.GetUtcNow();
        for (var i = 29; i >= 0; i--)
        {
            await QueueAsync([$"Due {i:00}"], start.AddSeconds(10 + i));
        }
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await DrainAsync();

        // What became of each post, for when the order is wrong: a send that failed and was retried goes later.
        await using var db = app.Database.CreateDbContext();
        var outcomes = await db.Deliveries.AsNoTracking().Where(d => d.ChannelId == _channel.Id).OrderBy(d => d.DueAt)
            .Select(d => $"{d.Post.Parts[0]}: {d.State}, {d.Attempts} attempts, {d.Reason}").ToListAsync();
        Assert.True(Enumerable.Range(0, 30).Select(i => $"Due {i:00}").SequenceEqual(_x.Created.Select(t => t.Text)),
            $"X received {string.Join(", ", _x.Created.Select(t => t.Text))}.\n{string.Join("\n", outcomes)}");
    }

    [Fact]
    public async Task Publish_SendOutlivesItsLease_TheSameNodeDoesNotStartOnTheChannelAgain()
    {
        using var arrived = new SemaphoreSlim(0);
        using var answer = new SemaphoreSlim(0);
        var calls = 0;
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    // X is slow to answer the first post: longer than the claim's lease.
                    arrived.Release();
                    answer.Wait(TimeSpan.FromMinutes(1));
                }
                return _x.Respond(request);
            }));
        var deliveryId = await QueueAsync("Slower than its lease");
        var publisher = app.Services.GetRequiredService<Publisher>();
        var first = publisher.RunOnceAsync(CancellationToken.None);
        Assert.True(await arrived.WaitAsync(TimeSpan.FromMinutes(1)), "the post never reached X");

        app.Clock.Advance(publisher.ClaimLease + TimeSpan.FromMinutes(1));
        var claimedMeanwhile = await publisher.RunOnceAsync(CancellationToken.None);
        answer.Release();
        await first;

        Assert.Equal(0, claimedMeanwhile);
        Assert.Equal(1, calls);
        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Equal(["Slower than its lease"], _x.Created.Select(t => t.Text));
    }

    [Fact]
    public async Task Claim_StatisticsOfANearlyEmptyTable_TakesOnlyTheEarliestBatch()
    {
        // Statistics taken while the table held one row make PostgreSQL run a claim's row-locking subquery again for each
        // row it updates. A claim written as UPDATE ... WHERE id IN (... LIMIT n FOR UPDATE SKIP LOCKED) then slid past
        // its limit and took posts due later than others it left behind: one account's posts went out of order.
        await QueueAsync("Counted by the statistics");
        await DrainAsync();
        await using var db = app.Database.CreateDbContext();
        // Autovacuum would analyze the table again once the previous test's deleted rows are counted.
        await db.Database.ExecuteSqlRawAsync("ALTER TABLE deliveries SET (autovacuum_enabled = off)");
        await db.Database.ExecuteSqlRawAsync("VACUUM ANALYZE deliveries");
        var start = app.Clock.GetUtcNow();
        for (var i = 0; i < 30; i++)
        {
            await QueueAsync([$"Batch {i:00}"], start.AddSeconds(10 + i));
        }
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var publisher = app.Services.GetRequiredService<Publisher>();

        int firstClaim;
        try
        {
            firstClaim = await publisher.RunOnceAsync(CancellationToken.None);
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync("ALTER TABLE deliveries RESET (autovacuum_enabled)");
        }

        Assert.Equal(Publisher.BatchSize, firstClaim);
        await DrainAsync();
        Assert.Equal(["Counted by the statistics", .. Enumerable.Range(0, 30).Select(i => $"Batch {i:00}")], _x.Created.Select(t => t.Text));
        await db.Database.ExecuteSqlRawAsync("ANALYZE deliveries");
    }

    [Fact]
    public async Task Publish_XAnswers429WithReset_DoesNotCallAgainBeforeTheReset()
    {
        var reset = app.Clock.GetUtcNow().AddMinutes(7);
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429)
                .WithHeader("x-rate-limit-limit", "100").WithHeader("x-rate-limit-remaining", "0")
                .WithHeader("x-rate-limit-reset", reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithBodyAsJson(new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }));
        var deliveryId = await QueueAsync("Rate limited post");

        await DrainAsync();
        var waiting = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, waiting.State);
        Assert.Equal(reset.ToUnixTimeSeconds(), waiting.DueAt.ToUnixTimeSeconds());
        Assert.Contains("100 posts per 15 minutes", waiting.Reason);

        app.Clock.Advance(TimeSpan.FromMinutes(6));
        await DrainAsync();
        Assert.Single(PostsTo("/2/tweets"));

        app.X.Reset();
        _x.Install(app.X);
        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        await DrainAsync();
        var after = await DeliveryAsync(deliveryId);
        Assert.True(after.State == DeliveryStates.Published,
            $"{after.State}: {after.Reason} now={app.Clock.GetUtcNow():O} reset={reset:O} " +
            $"calls={string.Join(",", app.X.LogEntries.Select(e => e.RequestMessage.Path + "=" + e.ResponseMessage.StatusCode))}");
        Assert.Single(_x.Created);
    }

    public enum XFault
    {
        Status500,
        Status502,
        Status503,
        ConnectionReset,
        BrokenChunk,
        MalformedJsonAfterCreating,
    }

    [Theory]
    [InlineData(XFault.Status500)]
    [InlineData(XFault.Status502)]
    [InlineData(XFault.Status503)]
    [InlineData(XFault.ConnectionReset)]
    [InlineData(XFault.BrokenChunk)]
    [InlineData(XFault.MalformedJsonAfterCreating)]
    public async Task Publish_XFailsOnceThenWorks_PostsExactlyOneTweet(XFault fault)
    {
        var text = $"Survives {fault}";
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .InScenario("flaky").WillSetStateTo("recovered")
            .RespondWith(Response.Create().WithCallback(_ => fault switch
            {
                XFault.Status500 or XFault.Status502 or XFault.Status503 => new WireMock.ResponseMessage
                {
                    StatusCode = fault switch { XFault.Status500 => 500, XFault.Status502 => 502, _ => 503 },
                    BodyData = new WireMock.Util.BodyData { BodyAsString = "{\"title\":\"Service Unavailable\"}", DetectedBodyType = BodyType.String },
                },
                XFault.ConnectionReset => new WireMock.ResponseMessage { FaultType = FaultType.EMPTY_RESPONSE },
                XFault.BrokenChunk => new WireMock.ResponseMessage { FaultType = FaultType.MALFORMED_RESPONSE_CHUNK },
                _ => Malformed(_x.AcceptOutOfBand(text)),
            }));
        var deliveryId = await QueueAsync(text);

        await DrainAsync();
        var retrying = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Queued, retrying.State);
        Assert.Contains("retrying at", retrying.Reason);

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Published, published.State);
        var tweet = Assert.Single(_x.Created, t => t.Text == text);
        Assert.Equal([tweet.Id], published.TweetIds);

        static WireMock.ResponseMessage Malformed(string _) => new()
        {
            StatusCode = 201,
            BodyData = new WireMock.Util.BodyData { BodyAsString = "{\"data\": {\"id\": ", DetectedBodyType = BodyType.String },
        };
    }

    [Fact]
    public async Task Publish_XAnswers429WithoutResetHeaders_WaitsOneWholeWindow()
    {
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429).WithBodyAsJson(new { title = "Too Many Requests", status = 429 }));
        var start = app.Clock.GetUtcNow();
        var deliveryId = await QueueAsync("429 without headers");

        await DrainAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(14));
        await DrainAsync();

        var waiting = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, waiting.State);
        Assert.Equal((start + TimeSpan.FromMinutes(15)).ToUnixTimeSeconds(), waiting.DueAt.ToUnixTimeSeconds());
        Assert.Single(PostsTo("/2/tweets"));
    }

    [Fact]
    public async Task Publish_AnswerLostAfterXCreatedThePost_ExactlyOneTweetShownAsPublished()
    {
        await PublishLosingTheFirstAnswerAsync("The answer to this one gets lost");
    }

    [Fact]
    public async Task Publish_AnswerLostForPostWithLinkAndAmpersand_IsFoundNotResent()
    {
        const string text = "Read this & that: https://example.com/a?b=1&c=2 <now>";

        var tweet = await PublishLosingTheFirstAnswerAsync(text);

        // X gives it back with a t.co link and &amp; &lt; &gt;: never byte for byte what was sent.
        Assert.NotEqual(text, tweet.Rendered.Text);
    }

    [Fact]
    public async Task Publish_TwoPublishersOverOneQueue_SendEveryDeliveryOnce()
    {
        for (var i = 0; i < 40; i++)
        {
            await QueueAsync($"Raced post {i}");
        }
        var first = NewPublisher();
        var second = NewPublisher();

        await Task.WhenAll(first.DrainAsync(), second.DrainAsync());

        Assert.Equal(40, _x.Created.Count);
        Assert.Equal(40, _x.Created.Select(t => t.Text).Distinct().Count());
        Assert.Equal(40, await CountAsync(DeliveryStates.Published));
    }

    [Fact]
    public void Options_ByDefault_PublishesForThirtyTwoAccountsAtOnce()
    {
        Assert.Equal(32, app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PublishingOptions>>().Value.Concurrency);
        Assert.Equal(PublishingOptions.DefaultConcurrency, new PublishingOptions().Concurrency);
    }

    [Fact]
    public async Task Reserve_NodeDiedHoldingAReservation_ItLapsesWithTheLeaseAndNothingStaysStranded()
    {
        var window = new RateWindow($"test:user:{Guid.NewGuid():N}", 2, TimeSpan.FromMinutes(15), "a window of two requests");
        var lease = app.Services.GetRequiredService<Publisher>().ClaimLease;
        await using var scope = app.Services.CreateAsyncScope();
        var budgets = scope.ServiceProvider.GetRequiredService<RateBudgets>();

        var dead = await budgets.ReserveAsync([window], "a node that was killed", lease, CancellationToken.None);
        var live = await budgets.ReserveAsync([window], "a live node", lease, CancellationToken.None);
        Assert.True(dead.Granted);
        Assert.True(live.Granted);
        // Both requests are in flight: a third is not promised, and learns when the window resets.
        var third = await budgets.ReserveAsync([window], "a live node", lease, CancellationToken.None);
        Assert.False(third.Granted);
        Assert.Equal(window, third.Exhausted);
        Assert.Equal(app.Clock.GetUtcNow() + window.Length, third.ResetAt!.Value, TimeSpan.FromSeconds(1));

        // A request that never left gives its unit back at once.
        await budgets.ReleaseAsync(live, CancellationToken.None);
        var again = await budgets.ReserveAsync([window], "a live node", lease, CancellationToken.None);
        Assert.True(again.Granted);
        // X took that one: it is spent. The dead node's is still in flight as far as anyone knows.
        await budgets.SettleAsync(again, [(window, null)], CancellationToken.None);
        Assert.False((await budgets.ReserveAsync([window], "a live node", lease, CancellationToken.None)).Granted);

        // The dead node never answers: once its lease has passed its unit is free again, inside the same window.
        app.Clock.Advance(lease + TimeSpan.FromSeconds(1));
        var afterLease = await budgets.ReserveAsync([window], "a live node", lease, CancellationToken.None);
        Assert.True(afterLease.Granted);
        await using var db = app.Database.CreateDbContext();
        Assert.Equal([afterLease.Id], await db.RateBudgetReservations.Where(r => r.Key == window.Key).Select(r => r.Id).ToListAsync());
        Assert.Equal(1, await db.RateBudgets.Where(b => b.Key == window.Key).Select(b => b.Remaining).SingleAsync());
    }

    [Fact]
    public async Task Reserve_ManySendersAtOnceOnSharedWindows_GrantsNoMoreThanTheTightestWindowAndNothingPartially()
    {
        // An account's window of 5 inside an app's window of 8, which another account has already spent 4 of.
        var account = new RateWindow($"test:user:{Guid.NewGuid():N}", 5, TimeSpan.FromMinutes(15), "an account's window of five");
        var other = new RateWindow($"test:user:{Guid.NewGuid():N}", 100, TimeSpan.FromMinutes(15), "another account's window");
        var shared = new RateWindow($"tweets:app:test-{Guid.NewGuid():N}", 8, TimeSpan.FromHours(24), "an app's window of eight");
        var lease = app.Services.GetRequiredService<Publisher>().ClaimLease;
        async Task<InFlightReservation> ReserveInOwnScopeAsync(params RateWindow[] windows)
        {
            await using var scope = app.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<RateBudgets>().ReserveAsync(windows, "node", lease, CancellationToken.None);
        }
        for (var i = 0; i < 4; i++)
        {
            Assert.True((await ReserveInOwnScopeAsync(other, shared)).Granted);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(_ => Task.Run(() => ReserveInOwnScopeAsync(account, shared))));

        // The app's window has 4 left and the account's 5: exactly 4 are granted, the rest learn which window is full.
        Assert.Equal(4, results.Count(r => r.Granted));
        Assert.All(results.Where(r => !r.Granted), r => Assert.Equal(shared, r.Exhausted));
        await using var db = app.Database.CreateDbContext();
        var granted = results.Where(r => r.Granted).Select(r => r.Id).ToList();
        Assert.Equal(4, await db.RateBudgetReservations.CountAsync(r => r.Key == account.Key));
        Assert.Equal(8, await db.RateBudgetReservations.CountAsync(r => r.Key == shared.Key));
        // A refused reservation holds nothing in the window that still had room.
        Assert.Empty(await db.RateBudgetReservations.Where(r => r.Key == account.Key && !granted.Contains(r.Id)).ToListAsync());
    }

    [Fact]
    public async Task Settle_AnswersArriveOutOfOrder_KeepsXsLowerCount()
    {
        var window = new RateWindow($"test:user:{Guid.NewGuid():N}", 100, TimeSpan.FromMinutes(15), "a window of 100 requests");
        var lease = app.Services.GetRequiredService<Publisher>().ClaimLease;
        await using var scope = app.Services.CreateAsyncScope();
        var budgets = scope.ServiceProvider.GetRequiredService<RateBudgets>();
        var first = await budgets.ReserveAsync([window], "node", lease, CancellationToken.None);
        var second = await budgets.ReserveAsync([window], "node", lease, CancellationToken.None);
        await using var db = app.Database.CreateDbContext();
        var resetAt = await db.RateBudgets.Where(b => b.Key == window.Key).Select(b => b.ResetAt).SingleAsync();

        // X took the first, then the second; the second's answer is settled first.
        await budgets.SettleAsync(second, [(window, new Sosyabot.Web.X.XRateWindow(100, 98, resetAt))], CancellationToken.None);
        await budgets.SettleAsync(first, [(window, new Sosyabot.Web.X.XRateWindow(100, 99, resetAt))], CancellationToken.None);

        Assert.Equal(98, await db.RateBudgets.Where(b => b.Key == window.Key).Select(b => b.Remaining).SingleAsync());
        Assert.Empty(await db.RateBudgetReservations.Where(r => r.Key == window.Key).ToListAsync());
    }

    [Fact]
    public async Task Publish_ManyPostsOnManyPublishers_NoReservationLeftBehind()
    {
        for (var i = 0; i < 30; i++)
        {
            await QueueAsync($"Reserved post {i}");
        }

        await Task.WhenAll(NewPublisher().DrainAsync(), NewPublisher().DrainAsync(), NewPublisher().DrainAsync());

        Assert.Equal(30, _x.Created.Select(t => t.Text).Distinct().Count());
        Assert.Equal(30, _x.Created.Count);
        await using var db = app.Database.CreateDbContext();
        Assert.Empty(await db.RateBudgetReservations.Where(r => r.Key.EndsWith(_channel.XUserId)).ToListAsync());
        // X's own count, from its headers, is what the account's window holds.
        Assert.Equal(70, await db.RateBudgets.Where(b => b.Key == $"tweets:user:{_channel.XUserId}").Select(b => b.Remaining).SingleAsync());
    }

    [Fact]
    public async Task Publish_NodeDiedAfterSending_IsReconciledWithoutResending()
    {
        const string text = "Sent just before the node died";
        var deliveryId = await QueueAsync(text);
        var sentAt = app.Clock.GetUtcNow();
        var tweetId = _x.AcceptOutOfBand(text);
        await SimulateCrashMidSendAsync(deliveryId, sentAt);

        await DrainAsync();
        Assert.Equal(DeliveryStates.Publishing, (await DeliveryAsync(deliveryId)).State);

        app.Clock.Advance(app.Services.GetRequiredService<Publisher>().ClaimLease + TimeSpan.FromSeconds(1));
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Published, published.State);
        Assert.Equal([tweetId], published.TweetIds);
        Assert.Empty(PostsTo("/2/tweets"));
    }

    [Fact]
    public async Task Publish_NodeDiedBeforeXGotThePost_IsSentOnceAfterTheLease()
    {
        var deliveryId = await QueueAsync("Never reached X before the crash");
        await SimulateCrashMidSendAsync(deliveryId, app.Clock.GetUtcNow());

        app.Clock.Advance(app.Services.GetRequiredService<Publisher>().ClaimLease + TimeSpan.FromSeconds(1));
        await DrainAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Single(_x.Created);
    }

    [Fact]
    public async Task Publish_ScheduledPost_GoesOutAtItsTime()
    {
        var deliveryId = await QueueAsync("See you in an hour", scheduledAt: app.Clock.GetUtcNow().AddHours(1));

        await DrainAsync();
        Assert.Empty(_x.Created);
        app.Clock.Advance(TimeSpan.FromMinutes(59));
        await DrainAsync();
        Assert.Empty(_x.Created);

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await DrainAsync();

        Assert.Single(_x.Created);
        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
    }

    [Fact]
    public async Task Publish_ThreadWhosePartFails_ResumesWithoutRepostingEarlierParts()
    {
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost().WithBody(b => b!.Contains("Part two"))).AtPriority(1)
            .InScenario("thread").WillSetStateTo("healthy")
            .RespondWith(Response.Create().WithStatusCode(502).WithBodyAsJson(new { title = "Bad Gateway", status = 502 }));
        var deliveryId = await QueueAsync(["Part one", "Part two", "Part three"]);

        await DrainAsync();
        var halfway = await DeliveryAsync(deliveryId);
        Assert.Single(halfway.TweetIds);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();

        var done = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Published, done.State);
        var tweets = _x.Created.ToList();
        Assert.Equal(["Part one", "Part two", "Part three"], tweets.Select(t => t.Text));
        Assert.Equal([null, tweets[0].Id, tweets[1].Id], tweets.Select(t => t.InReplyTo));
        Assert.Equal(tweets.Select(t => t.Id), done.TweetIds);
    }

    [Fact]
    public async Task Publish_XAnswers401_HoldsAndMarksChannelNeedsReconnect()
    {
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { title = "Unauthorized", status = 401, detail = "Unauthorized" }));
        var deliveryId = await QueueAsync("Token was revoked");

        await DrainAsync();

        var held = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Held, held.State);
        Assert.Contains("Reconnect", held.Reason);
        await using var db = app.Database.CreateDbContext();
        Assert.Equal(ChannelStates.NeedsReconnect, (await db.Channels.SingleAsync(c => c.Id == _channel.Id)).State);
    }

    [Fact]
    public async Task Publish_DuplicateOfEarlierPost_FailsWithXsReason()
    {
        _x.AcceptOutOfBand("Posted by hand on x.com earlier");
        var deliveryId = await QueueAsync("Posted by hand on x.com earlier");

        await DrainAsync();

        var failed = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Failed, failed.State);
        Assert.Contains("duplicate content", failed.Reason);
    }

    [Fact]
    public async Task Publish_PostWithImage_UploadsInChunksThroughV2MediaThenPostsWithItsId()
    {
        GivenMediaEndpoints("7105113633453547");
        var image = TestImages.Png((2 * 1024 * 1024) + 512 * 1024);
        var deliveryId = await QueueAsync(["Look at this"], media: [new MediaDraft("photo.png", image, "A red bicycle")]);

        await DrainAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        using var initialize = System.Text.Json.JsonDocument.Parse(Assert.Single(PostsTo("/2/media/upload/initialize")).RequestMessage.Body!);
        Assert.Equal("image/png", initialize.RootElement.GetProperty("media_type").GetString());
        Assert.Equal(image.Length, initialize.RootElement.GetProperty("total_bytes").GetInt32());
        Assert.Equal("tweet_image", initialize.RootElement.GetProperty("media_category").GetString());
        var segments = PostsTo("/2/media/upload/7105113633453547/append")
            .Select(e => System.Text.RegularExpressions.Regex.Match(
                e.RequestMessage.Body ?? System.Text.Encoding.Latin1.GetString(e.RequestMessage.BodyAsBytes!),
                "name=\"?segment_index\"?\r\n\r\n(\\d+)").Groups[1].Value)
            .ToList();
        Assert.Equal(["0", "1", "2"], segments);
        Assert.Single(PostsTo("/2/media/upload/7105113633453547/finalize"));
        using var metadata = System.Text.Json.JsonDocument.Parse(Assert.Single(PostsTo("/2/media/metadata")).RequestMessage.Body!);
        Assert.Equal("A red bicycle", metadata.RootElement.GetProperty("metadata").GetProperty("alt_text").GetProperty("text").GetString());
        using var tweet = System.Text.Json.JsonDocument.Parse(Assert.Single(PostsTo("/2/tweets")).RequestMessage.Body!);
        Assert.Equal("7105113633453547", tweet.RootElement.GetProperty("media").GetProperty("media_ids")[0].GetString());
    }

    [Fact]
    public async Task Publish_PostWithImageRetriedAfter503_ReusesTheUploadedMedia()
    {
        GivenMediaEndpoints("7105113633453548");
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .InScenario("media-retry").WillSetStateTo("ok")
            .RespondWith(Response.Create().WithStatusCode(503).WithBodyAsJson(new { title = "Service Unavailable", status = 503 }));
        var deliveryId = await QueueAsync(["Retried with its image"], media: [new MediaDraft("a.jpg", TestImages.Jpeg(4), null)]);

        await DrainAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Single(PostsTo("/2/media/upload/initialize"));
        Assert.Empty(PostsTo("/2/media/metadata"));
        Assert.Single(_x.Created);
    }

    [Fact]
    public async Task Publish_XAnswers401DuringMediaUpload_HoldsAndMarksChannelNeedsReconnect()
    {
        app.X.Given(Request.Create().WithPath("/2/media/upload/initialize").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { title = "Unauthorized", status = 401, detail = "Unauthorized" }));
        var deliveryId = await QueueAsync(["Image post with a dead token"], media: [new MediaDraft("a.png", TestImages.Png(8), null)]);

        await DrainAsync();

        Assert.Equal(DeliveryStates.Held, (await DeliveryAsync(deliveryId)).State);
        await using var db = app.Database.CreateDbContext();
        Assert.Equal(ChannelStates.NeedsReconnect, (await db.Channels.SingleAsync(c => c.Id == _channel.Id)).State);
        Assert.Empty(_x.Created);
    }

    [Fact]
    public async Task Publish_XAnswersUsageCapped_HoldsTheDeliveryNamingTheCap()
    {
        var reset = app.Clock.GetUtcNow().AddDays(3);
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429)
                .WithHeader("x-rate-limit-reset", reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithBodyAsJson(new
                {
                    title = "UsageCapExceeded",
                    detail = "Usage cap exceeded: Monthly product cap",
                    type = "https://api.twitter.com/2/problems/usage-capped",
                    status = 429,
                }));
        var deliveryId = await QueueAsync("Over the monthly cap");

        await DrainAsync();

        var held = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, held.State);
        Assert.Contains("monthly usage cap", held.Reason);
        Assert.Equal(reset.ToUnixTimeSeconds(), held.DueAt.ToUnixTimeSeconds());
    }

    [Fact]
    public async Task Publish_AppDayHeaderSaysSpent_HoldsFollowingDeliveriesUntilItsReset()
    {
        var dayReset = app.Clock.GetUtcNow().AddHours(20);
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .InScenario("day-cap").WillSetStateTo("spent")
            .RespondWith(Response.Create().WithStatusCode(201)
                .WithHeader("x-app-limit-24hour-limit", "10000").WithHeader("x-app-limit-24hour-remaining", "0")
                .WithHeader("x-app-limit-24hour-reset", dayReset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithBodyAsJson(new { data = new { id = "1900000000000000777", text = "Last one today" } }));
        var last = await QueueAsync("Last one today");
        await DrainAsync();
        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(last)).State);

        var next = await QueueAsync("Has to wait for tomorrow");
        await DrainAsync();

        var held = await DeliveryAsync(next);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, held.State);
        Assert.Contains("10,000 posts per 24 hours", held.Reason);
        Assert.Equal(dayReset.ToUnixTimeSeconds(), held.DueAt.ToUnixTimeSeconds());
        Assert.Single(PostsTo("/2/tweets"));
    }

    private void GivenMediaEndpoints(string mediaId)
    {
        app.X.Given(Request.Create().WithPath("/2/media/upload/initialize").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { id = mediaId, media_key = "3_" + mediaId, expires_after_secs = 86400 } }));
        app.X.Given(Request.Create().WithPath($"/2/media/upload/{mediaId}/append").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { expires_at = 1_900_000_000 } }));
        app.X.Given(Request.Create().WithPath($"/2/media/upload/{mediaId}/finalize").UsingPost())
            .RespondWith(Response.Create()
                .WithBodyAsJson(new { data = new { id = mediaId, media_key = "3_" + mediaId, size = 1, expires_after_secs = 86400 } }));
        app.X.Given(Request.Create().WithPath("/2/media/metadata").UsingPost())
            .RespondWith(Response.Create().WithBodyAsJson(new { data = new { associated_metadata = true } }));
    }

    private Task<Guid> QueueAsync(string text, DateTimeOffset? scheduledAt = null) => QueueAsync([text], scheduledAt);

    private async Task<Guid> QueueAsync(string[] parts, DateTimeOffset? scheduledAt = null, IReadOnlyList<MediaDraft>? media = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
            _channel.WorkspaceId, _channel.ConnectedByUserId, new PostDraft(parts, [_channel.Id], scheduledAt, "UTC", media), CancellationToken.None);
        return post.Deliveries.Single().Id;
    }

    // A second node: its own id, the same database and clock.
    private Publisher NewPublisher() => ActivatorUtilities.CreateInstance<Publisher>(app.Services);

    private Task DrainAsync() => app.Services.GetRequiredService<Publisher>().DrainAsync();

    private async Task SimulateCrashMidSendAsync(Guid deliveryId, DateTimeOffset at)
    {
        await using var db = app.Database.CreateDbContext();
        await db.Deliveries.Where(d => d.Id == deliveryId).ExecuteUpdateAsync(u => u
            .SetProperty(d => d.State, DeliveryStates.Publishing)
            .SetProperty(d => d.ClaimedAt, at)
            .SetProperty(d => d.ClaimedBy, "a node that was killed")
            .SetProperty(d => d.SendingPart, 0)
            .SetProperty(d => d.SendingSince, at)
            .SetProperty(d => d.Attempts, 1));
    }

    private async Task<Delivery> DeliveryAsync(Guid id)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    private async Task<int> CountAsync(string state)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Deliveries.CountAsync(d => d.ChannelId == _channel.Id && d.State == state);
    }

    // X takes the post but its answer never arrives; the retry must find the post on X, not send it again.
    private async Task<FakeXPosts.CreatedTweet> PublishLosingTheFirstAnswerAsync(string text)
    {
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .InScenario("lost").WillSetStateTo("answered")
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                _x.AcceptOutOfBand(text);
                return new WireMock.ResponseMessage { FaultType = FaultType.EMPTY_RESPONSE };
            }));
        var deliveryId = await QueueAsync(text);

        await DrainAsync();
        Assert.Equal(DeliveryStates.Queued, (await DeliveryAsync(deliveryId)).State);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Published, published.State);
        var tweet = Assert.Single(_x.Created);
        Assert.Equal([tweet.Id], published.TweetIds);
        Assert.Single(PostsTo("/2/tweets"));
        return tweet;
    }

    private List<WireMock.Logging.ILogEntry> PostsTo(string path) =>
        app.X.LogEntries.Where(e => e.RequestMessage.Path == path && e.RequestMessage.Method == "POST").ToList();
}
