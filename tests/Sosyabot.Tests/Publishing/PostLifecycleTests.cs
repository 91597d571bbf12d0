using System.Globalization;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Publishing;

// Held posts, cancels mid-thread, edits against a claim, attempts and per-account order: the publisher at X's real edges.
public sealed class PostLifecycleTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private FakeXPosts _x = null!;
    private Channel _channel = null!;
    private BrowserClient _user = null!;
    private string _xUserId = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await using (var cleanup = app.Database.CreateDbContext())
        {
            await cleanup.Posts.ExecuteDeleteAsync();
            await cleanup.PublishingLeases.ExecuteDeleteAsync();
        }
        await XConnectFlow.ConfigureIntegrationAsync(app);
        _xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        _user = await app.RegisterAsync($"life-{Guid.NewGuid():N}@sosyabot.test");
        // Long-lived connections are off: the token ends in two hours and nothing renews it.
        _channel = await ConnectAsync(expiresIn: 7200);
        _x = new FakeXPosts(app.Clock);
        _x.Install(app.X);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Publish_ScheduledAfterTheTokenEnds_IsHeldThenGoesOutOnceAfterReconnecting()
    {
        var dueAt = app.Clock.GetUtcNow().AddHours(3);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var warnings = await scope.ServiceProvider.GetRequiredService<ChannelAccessWarnings>().ForAsync([_channel], dueAt, CancellationToken.None);
            Assert.Contains("held, not lost", Assert.Single(warnings));
        }
        var deliveryId = (await QueueAsync(["Three hours from now"], dueAt)).Id;

        app.Clock.Advance(TimeSpan.FromHours(3));
        await DrainAsync();
        var held = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Held, held.State);
        Assert.Contains("needs reconnecting", held.Reason);
        Assert.Empty(_x.Created);

        app.Clock.Advance(TimeSpan.FromMinutes(10));
        await ConnectAsync(expiresIn: 7200);
        await DrainAsync();
        await DrainAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Equal("Three hours from now", Assert.Single(_x.Created).Text);
    }

    [Fact]
    public async Task Api_ScheduledAfterTheTokenEnds_WarnsInTheAnswer()
    {
        using var agent = Agents.AgentWorkspace.Agent(app, await new Agents.AgentWorkspace(app, _user).CreateTokenAsync("read", "write"));

        using var later = await agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = "After the token", scheduled_at = app.Clock.GetUtcNow().AddHours(3) });
        using var soon = await agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = "Before the token", scheduled_at = app.Clock.GetUtcNow().AddHours(1) });

        Assert.Equal(System.Net.HttpStatusCode.Accepted, later.StatusCode);
        var warning = Assert.Single((await later.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("warnings").EnumerateArray())
            .GetString();
        Assert.Contains("held, not lost", warning);
        Assert.Contains("long-lived connections", warning);
        Assert.False((await soon.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).TryGetProperty("warnings", out _));
    }

    [Fact]
    public async Task Publish_HeldPastTheThreshold_AsksInsteadOfGoingOutLate()
    {
        var deliveryId = (await QueueAsync(["Stale news"], app.Clock.GetUtcNow().AddHours(3))).Id;
        app.Clock.Advance(TimeSpan.FromHours(3));
        await DrainAsync();

        app.Clock.Advance(TimeSpan.FromHours(7));
        await ConnectAsync(expiresIn: 7200);
        await DrainAsync();

        var asking = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Held, asking.State);
        Assert.Contains("publish it late, or skip it", asking.Reason);
        Assert.Empty(_x.Created);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PostLifecycle>()
                .PublishHeldNowAsync(_channel.WorkspaceId, asking.PostId, _channel.Id, CancellationToken.None);
        }
        await DrainAsync();
        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Single(_x.Created);
    }

    [Fact]
    public async Task Publish_AfterWaitingThroughEightRateWindows_StillGetsEveryRetryOn5xx()
    {
        // Eight windows are two hours: a token that lasts longer keeps this about attempts, not expiry.
        _channel = await ConnectAsync(expiresIn: 86_400);
        for (var window = 0; window < 8; window++)
        {
            var reset = app.Clock.GetUtcNow().AddMinutes(15);
            app.X.Reset();
            _x.Install(app.X);
            app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
                .RespondWith(Response.Create().WithStatusCode(429)
                    .WithHeader("x-rate-limit-limit", "100").WithHeader("x-rate-limit-remaining", "0")
                    .WithHeader("x-rate-limit-reset", reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
                    .WithBodyAsJson(new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }));
            if (window == 0)
            {
                await QueueAsync(["Patient post"], null);
            }
            await DrainAsync();
            app.Clock.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        }
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(503).WithBodyAsJson(new { title = "Service Unavailable", status = 503 }));

        await DrainAsync();

        await using var db = app.Database.CreateDbContext();
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.ChannelId == _channel.Id);
        Assert.Equal(DeliveryStates.Queued, delivery.State);
        Assert.Equal(1, delivery.Attempts);
        Assert.Contains($"attempt 1 of {DeliverySender.MaxAttempts}", delivery.Reason);
    }

    [Fact]
    public async Task Publish_ThirtyPostsDueTogetherWithTwoNodes_ReachXInIdOrder()
    {
        var dueAt = app.Clock.GetUtcNow().AddSeconds(30);
        var ids = new List<Guid>();
        for (var i = 0; i < 30; i++)
        {
            ids.Add((await QueueAsync([$"Same second {i:00}"], dueAt)).PostId);
        }
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        await Task.WhenAll(NewPublisher().DrainAsync(), NewPublisher().DrainAsync());

        await using var db = app.Database.CreateDbContext();
        var textsInIdOrder = await db.Posts.AsNoTracking().Where(p => ids.Contains(p.Id)).OrderBy(p => p.Id).Select(p => p.Parts[0]).ToListAsync();
        Assert.Equal(textsInIdOrder, _x.Created.Select(t => t.Text));
        Assert.Equal(30, _x.Created.Count);
    }

    [Fact]
    public async Task Cancel_MidThread_StopsAfterThePartInFlight()
    {
        Guid postId = default;
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost().WithBody(b => b!.Contains("First of three"))).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                using var scope = app.Services.CreateScope();
                var outcome = scope.ServiceProvider.GetRequiredService<PostLifecycle>()
                    .CancelAsync(_channel.WorkspaceId, postId, null, CancellationToken.None).GetAwaiter().GetResult();
                Assert.Equal(1, outcome.Stopping);
                return _x.Respond(request);
            }));
        var delivery = await QueueAsync(["First of three", "Second of three", "Third of three"], null);
        postId = delivery.PostId;

        await DrainAsync();

        var cancelled = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryStates.Cancelled, cancelled.State);
        Assert.Contains("after part 1 of 3", cancelled.Reason);
        Assert.Equal(["First of three"], _x.Created.Select(t => t.Text));
        Assert.Single(cancelled.TweetIds);
    }

    [Fact]
    public async Task Edit_WhileThePublisherHoldsTheClaim_IsRefused()
    {
        var delivery = await QueueAsync(["Claimed right now"], app.Clock.GetUtcNow().AddHours(1));
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.State, DeliveryStates.Publishing).SetProperty(d => d.ClaimedAt, app.Clock.GetUtcNow()));
        }
        await using var scope = app.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<PostLifecycle>();

        var refused = await Assert.ThrowsAsync<PostConflictException>(() => lifecycle.UpdateAsync(_channel.WorkspaceId, delivery.PostId,
            new PostDraft(["Changed"], [_channel.Id], app.Clock.GetUtcNow().AddHours(2), "UTC"), null, null, publish: true, CancellationToken.None));

        Assert.Contains("being published right now", refused.Message);
        await using var check = app.Database.CreateDbContext();
        Assert.Equal(["Claimed right now"], (await check.Posts.AsNoTracking().SingleAsync(p => p.Id == delivery.PostId)).Parts);
    }

    [Fact]
    public async Task Edit_WithAnOutdatedVersion_IsRefusedAsChangedBySomeoneElse()
    {
        var delivery = await QueueAsync(["Version one"], app.Clock.GetUtcNow().AddHours(1));
        await using var scope = app.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<PostLifecycle>();
        var opened = (await lifecycle.GetAsync(_channel.WorkspaceId, delivery.PostId, CancellationToken.None)).Version;
        await lifecycle.RescheduleAsync(_channel.WorkspaceId, delivery.PostId, app.Clock.GetUtcNow().AddHours(2), "UTC", CancellationToken.None);

        await using var second = app.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<PostConflictException>(() => second.ServiceProvider.GetRequiredService<PostLifecycle>().UpdateAsync(
            _channel.WorkspaceId, delivery.PostId, new PostDraft(["Version two"], [_channel.Id], app.Clock.GetUtcNow().AddHours(3), "UTC"),
            null, opened, publish: true, CancellationToken.None));

        Assert.Contains("changed this post since you opened it", refused.Message);
    }

    [Fact]
    public async Task Publish_ClaimTakenOverByAnotherNodeMidThread_SendsNothingMore()
    {
        Guid deliveryId = default;
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost().WithBody(b => b!.Contains("Slow first part"))).AtPriority(1)
            .RespondWith(Response.Create().WithCallback(request =>
            {
                // The claim lapsed while X was slow, and another node reclaimed the delivery.
                using var db = app.Database.CreateDbContext();
                db.Deliveries.Where(d => d.Id == deliveryId)
                    .ExecuteUpdate(u => u.SetProperty(d => d.ClaimedBy, "another node").SetProperty(d => d.ClaimedAt, app.Clock.GetUtcNow()));
                return _x.Respond(request);
            }));
        deliveryId = (await QueueAsync(["Slow first part", "Second part", "Third part"], null)).Id;

        await DrainAsync();

        Assert.Equal(["Slow first part"], _x.Created.Select(t => t.Text));
        var delivery = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Publishing, delivery.State);
        Assert.Equal("another node", delivery.ClaimedBy);
    }

    [Fact]
    public async Task Publish_LostAnswerAndTheLookupIsRefused_DoesNotSendAgainUntilItCanLook()
    {
        const string text = "Lost, and X's timeline is down too";
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(1).InScenario("lost-lookup").WillSetStateTo("answered")
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                _x.AcceptOutOfBand(text);
                return new WireMock.ResponseMessage { FaultType = FaultType.EMPTY_RESPONSE };
            }));
        // The timeline's own quota is small on X's lower tiers: the lookup meets a 429 once.
        app.X.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/2/users/[^/]+/tweets$")).UsingGet()).AtPriority(1)
            .InScenario("timeline").WillSetStateTo("up")
            .RespondWith(Response.Create().WithStatusCode(429).WithBodyAsJson(new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }));
        var deliveryId = (await QueueAsync([text], null)).Id;

        await DrainAsync();
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();
        var waiting = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Queued, waiting.State);
        Assert.Contains("Could not check on X", waiting.Reason);
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");

        app.Clock.Advance(TimeSpan.FromMinutes(5));
        await DrainAsync();

        Assert.Equal(DeliveryStates.Published, (await DeliveryAsync(deliveryId)).State);
        Assert.Single(_x.Created);
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");
    }

    [Fact]
    public async Task Edit_AfterALostAnswer_IsRefusedSoTwoVersionsCannotReachX()
    {
        var delivery = await QueueAsync(["Maybe on X already"], app.Clock.GetUtcNow().AddHours(1));
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.SendingPart, 0).SetProperty(d => d.SendingSince, app.Clock.GetUtcNow()).SetProperty(d => d.Reason, "X's answer was lost"));
        }
        await using var scope = app.Services.CreateAsyncScope();

        var refused = await Assert.ThrowsAsync<PostConflictException>(() => scope.ServiceProvider.GetRequiredService<PostLifecycle>().UpdateAsync(
            _channel.WorkspaceId, delivery.PostId, new PostDraft(["Changed text"], [_channel.Id], app.Clock.GetUtcNow().AddHours(2), "UTC"),
            null, null, publish: true, CancellationToken.None));

        Assert.Contains("could put two versions on X", refused.Message);
    }

    [Theory]
    [InlineData(2, true, DeliveryStates.Cancelled, "Cancelled after part 1 of 2")]
    // The lost answer was the last part's: everything is on X, so it is published, not cancelled.
    [InlineData(1, true, DeliveryStates.Published, null)]
    // X never got it: nothing is uncertain any more.
    [InlineData(1, false, DeliveryStates.Cancelled, "Cancelled before anything was sent.")]
    public async Task Cancel_WhileAPartsAnswerIsLost_LooksOnXFirstAndKeepsThePartXHas(int parts, bool onX, string state, string? reason)
    {
        var text = $"Its answer was lost, then it was cancelled (1/{parts})";
        var delivery = await QueueAsync([text, .. Enumerable.Range(2, parts - 1).Select(p => $"Never sent ({p}/{parts})")], null);
        var lostAt = app.Clock.GetUtcNow();
        string[] onXIds = onX ? [_x.AcceptOutOfBand(text)] : [];
        // The node sending it died after X took the post; a person cancelled the post stuck in 'publishing'.
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.State, DeliveryStates.Publishing).SetProperty(d => d.ClaimedBy, "a node that was killed")
                .SetProperty(d => d.ClaimedAt, lostAt).SetProperty(d => d.SendingPart, 0).SetProperty(d => d.SendingSince, lostAt));
        }
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<PostLifecycle>()
                .CancelAsync(_channel.WorkspaceId, delivery.PostId, null, CancellationToken.None);
            Assert.Equal(1, outcome.Stopping);
        }

        app.Clock.Advance(app.Services.GetRequiredService<Publisher>().ClaimLease + TimeSpan.FromMinutes(1));
        await DrainAsync();

        var cancelled = await DeliveryAsync(delivery.Id);
        Assert.Equal(state, cancelled.State);
        Assert.Equal(onXIds, cancelled.TweetIds);
        Assert.Equal(reason, cancelled.Reason?.Split(':')[0]);
        Assert.Null(cancelled.SendingPart);
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets" && e.RequestMessage.Method == "POST");
    }

    [Fact]
    public async Task Cancel_QueuedAfterALostAnswer_SaysXMayHaveThePart()
    {
        var delivery = await QueueAsync(["Lost, retrying, then cancelled"], app.Clock.GetUtcNow().AddMinutes(1));
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u
                .SetProperty(d => d.SendingPart, 0).SetProperty(d => d.SendingSince, app.Clock.GetUtcNow()).SetProperty(d => d.Attempts, 1));
        }
        await using var scope = app.Services.CreateAsyncScope();

        await scope.ServiceProvider.GetRequiredService<PostLifecycle>().CancelAsync(_channel.WorkspaceId, delivery.PostId, null, CancellationToken.None);

        var cancelled = await DeliveryAsync(delivery.Id);
        Assert.Equal(DeliveryStates.Cancelled, cancelled.State);
        Assert.Equal("Cancelled, but X may already have part 1 of 1: its answer was lost. Look for it on the account before posting it again.",
            cancelled.Reason);
    }

    [Fact]
    public async Task Edit_OpenedBeforeSomeoneCancelled_IsRefusedRatherThanQueueingItAgain()
    {
        var delivery = await QueueAsync(["Cancelled while someone edits"], app.Clock.GetUtcNow().AddHours(1));
        await using var scope = app.Services.CreateAsyncScope();
        var lifecycle = scope.ServiceProvider.GetRequiredService<PostLifecycle>();
        var opened = (await lifecycle.GetAsync(_channel.WorkspaceId, delivery.PostId, CancellationToken.None)).Version;
        await lifecycle.CancelAsync(_channel.WorkspaceId, delivery.PostId, null, CancellationToken.None);

        await using var editor = app.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<PostConflictException>(() => editor.ServiceProvider.GetRequiredService<PostLifecycle>().UpdateAsync(
            _channel.WorkspaceId, delivery.PostId, new PostDraft(["Edited text"], [_channel.Id], app.Clock.GetUtcNow().AddHours(2), "UTC"),
            null, opened, publish: true, CancellationToken.None));

        Assert.Contains("changed this post since you opened it", refused.Message);
        Assert.Equal(DeliveryStates.Cancelled, (await DeliveryAsync(delivery.Id)).State);
    }

    private async Task<Channel> ConnectAsync(int expiresIn)
    {
        app.GivenTokenEndpointIssues("life-token-" + Guid.NewGuid().ToString("N"), expiresIn: expiresIn);
        app.GivenUsersMe(_xUserId, "life_" + _xUserId);
        await XConnectFlow.ConnectAsync(_user);
        await using var db = app.Database.CreateDbContext();
        return await db.Channels.AsNoTracking().SingleAsync(c => c.XUserId == _xUserId);
    }

    private async Task<Delivery> QueueAsync(string[] parts, DateTimeOffset? scheduledAt)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
            _channel.WorkspaceId, _channel.ConnectedByUserId, new PostDraft(parts, [_channel.Id], scheduledAt, "UTC"), CancellationToken.None);
        return post.Deliveries.Single();
    }

    // A second node: its own id, the same database and clock.
    private Publisher NewPublisher() => ActivatorUtilities.CreateInstance<Publisher>(app.Services);

    private Task DrainAsync() => app.Services.GetRequiredService<Publisher>().DrainAsync();

    private async Task<Delivery> DeliveryAsync(Guid id)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id);
    }
}
