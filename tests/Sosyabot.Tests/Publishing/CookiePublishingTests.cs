using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Publishing;

// Cookie-connected channels publish through x.com's web path, here the XSandbox's, with the API path's guarantees.
public sealed class CookiePublishingTests(AppWithXSandbox app) : IClassFixture<AppWithXSandbox>, IAsyncLifetime
{
    private static int _nextAccount;
    private SandboxAccount _account = null!;
    private BrowserClient _user = null!;
    private Channel _channel = null!;

    public async Task InitializeAsync()
    {
        await using (var cleanup = app.Database.CreateDbContext())
        {
            await cleanup.Posts.ExecuteDeleteAsync();
            await cleanup.RateBudgets.ExecuteDeleteAsync();
            await cleanup.Options.Where(o => o.Key.StartsWith("x-twitter_web")).ExecuteDeleteAsync();
        }
        _account = app.SandboxState.Everyone[3 + Interlocked.Increment(ref _nextAccount)];
        _user = await app.RegisterAsync($"cookie-pub-{Guid.NewGuid():N}@sosyabot.test");
        _channel = await ConnectAsync(_account.WebAuthToken, NewCt0());
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Publish_ThreadWithImageAndAltText_AllPartsOnXInOrderEachReplyingToThePrevious()
    {
        var deliveryId = await QueueAsync(["Cookie thread 1/3", "Cookie thread 2/3", "Cookie thread 3/3"],
            [new MediaDraft("square.png", TestImages.Png(1500), "A red square on white")]);

        await DrainAsync();

        var delivery = await DeliveryAsync(deliveryId);
        Assert.True(delivery.State == DeliveryStates.Published, $"{delivery.State}: {delivery.Reason}");
        var posts = PostsOnX();
        Assert.Equal(["Cookie thread 1/3", "Cookie thread 2/3", "Cookie thread 3/3"], posts.Select(p => p.Text));
        Assert.Equal(delivery.TweetIds, posts.Select(p => p.Id));
        Assert.Null(posts[0].InReplyToId);
        Assert.Equal(posts[0].Id, posts[1].InReplyToId);
        Assert.Equal(posts[1].Id, posts[2].InReplyToId);
        var image = Assert.Single(posts[0].MediaIds);
        Assert.Equal("A red square on white", app.SandboxState.Media[image].AltText);
    }

    [Fact]
    public async Task Publish_Ct0RotatedMidThread_ThreadCompletesAndTheNewCt0IsStoredEncrypted()
    {
        var deliveryId = await QueueAsync(["Rotating 1/3", "Rotating 2/3", "Rotating 3/3"]);
        // x.com hands a new ct0 with the answer to the first part; from then on only that one is accepted.
        await SandboxAsync($"/sandbox/web/accounts/{_account.Username}/rotate-ct0");

        await DrainAsync();

        var delivery = await DeliveryAsync(deliveryId);
        Assert.True(delivery.State == DeliveryStates.Published, $"{delivery.State}: {delivery.Reason}");
        Assert.Equal(["Rotating 1/3", "Rotating 2/3", "Rotating 3/3"], PostsOnX().Select(p => p.Text));
        var rotated = app.SandboxWeb.BoundCt0(_account);
        Assert.Matches("^[0-9a-f]{160}$", rotated);
        var column = string.Join("\n", await app.Database.ReadColumnAsync($"SELECT session_ct0_protected FROM channels WHERE id = '{_channel.Id}'"));
        Assert.DoesNotContain(rotated!, column);
        Assert.StartsWith(SecretProtector.Prefix, column);
        await using var scope = app.Services.CreateAsyncScope();
        await using var db = app.Database.CreateDbContext();
        var stored = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == _channel.Id);
        Assert.Equal(rotated, scope.ServiceProvider.GetRequiredService<ChannelSecrets>().WebSession(stored)!.Ct0);
    }

    [Fact]
    public async Task Publish_SessionLoggedOut_ChannelNeedsReconnectAndPostHeld_ThenPublishedAfterReconnectWithFreshCookies()
    {
        await SandboxAsync($"/sandbox/web/accounts/{_account.Username}/log-out");
        var deliveryId = await QueueAsync(["Held for fresh cookies"]);

        await DrainAsync();

        var held = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Held, held.State);
        Assert.Contains("code 32", held.Reason);
        Assert.Contains("auth_token and ct0", held.Reason);
        var channel = await ChannelAsync();
        Assert.Equal(ChannelStates.NeedsReconnect, channel.State);
        Assert.Contains("logged out or expired", channel.StateReason);
        Assert.Empty(PostsOnX());

        using var http = new HttpClient();
        using var login = await http.PostAsync($"{app.SandboxAddress}/sandbox/web/accounts/{_account.Username}/log-in", null);
        var freshToken = (await login.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("auth_token").GetString()!;
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        await ConnectAsync(freshToken, NewCt0());
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.True(published.State == DeliveryStates.Published, $"{published.State}: {published.Reason}");
        Assert.Equal(["Held for fresh cookies"], PostsOnX().Select(p => p.Text));
    }

    [Fact]
    public async Task Publish_WebPathAnswers429_SendsNothingBeforeTheReset()
    {
        await SandboxAsync($"/sandbox/web/accounts/{_account.Username}/rate-limit-next-call");
        var deliveryId = await QueueAsync(["Waits for x.com's window"]);

        await DrainAsync();
        var waiting = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, waiting.State);
        Assert.InRange(waiting.DueAt, app.Clock.GetUtcNow() + TimeSpan.FromMinutes(14), app.Clock.GetUtcNow() + TimeSpan.FromMinutes(15));
        Assert.Contains("x.com's post limit per 15 minutes", waiting.Reason);
        var callsAfterRefusal = app.SandboxWeb.Calls;

        app.Clock.Advance(TimeSpan.FromMinutes(14));
        await DrainAsync();
        Assert.Equal(callsAfterRefusal, app.SandboxWeb.Calls);
        Assert.Equal(DeliveryStates.WaitingForRateLimit, (await DeliveryAsync(deliveryId)).State);

        app.Clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(2));
        await DrainAsync();
        var published = await DeliveryAsync(deliveryId);
        Assert.True(published.State == DeliveryStates.Published, $"{published.State}: {published.Reason}");
        Assert.Equal(["Waits for x.com's window"], PostsOnX().Select(p => p.Text));
    }

    [Fact]
    public async Task Publish_AnswerLostAfterXCreatedThePost_FindsItAndLeavesExactlyOneTweet()
    {
        await SandboxAsync($"/sandbox/web/accounts/{_account.Username}/lose-next-create-tweet-answer");
        var deliveryId = await QueueAsync(["Did it go out? https://example.com/a?b=1 & more"]);

        await DrainAsync();
        var retrying = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Queued, retrying.State);
        Assert.Equal(0, retrying.SendingPart);

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.True(published.State == DeliveryStates.Published, $"{published.State}: {published.Reason}");
        var post = Assert.Single(PostsOnX());
        Assert.Equal(post.Id, Assert.Single(published.TweetIds));
    }

    [Fact]
    public async Task Publish_OutdatedCreateTweetQueryId_PostHeldAndTheAdminPageNamesTheSetting_ThenItGoesOnceUpdated()
    {
        const string newId = "NewBundleQueryId00000A";
        await SandboxAsync($"/sandbox/web/query-ids/CreateTweet/{newId}");
        try
        {
            var deliveryId = await QueueAsync(["Waits for a fresh query id"]);

            await DrainAsync();

            var held = await DeliveryAsync(deliveryId);
            Assert.Equal(DeliveryStates.Held, held.State);
            Assert.Contains("X_WEB_QUERY_ID_CREATETWEET", held.Reason);
            Assert.Equal(ChannelStates.Active, (await ChannelAsync()).State);
            Assert.Empty(PostsOnX());
            var admin = await app.LogInAsAdminAsync();
            var page = await admin.GetDocumentAsync("/admin/api-integration/x-twitter");
            var notice = page.QuerySelector("#web-unknown-query")!.TextContent;
            Assert.Contains("CreateTweet", notice);
            Assert.Contains("X_WEB_QUERY_ID_CREATETWEET", notice);

            app.Clock.Advance(TimeSpan.FromSeconds(1));
            using var saved = await admin.SubmitAsync(page, "#save-web", new Dictionary<string, string> { ["Web.QueryIds[CreateTweet]"] = newId });
            var after = await HtmlForms.ParseAsync(saved);
            Assert.Contains("Cookie channel settings saved", after.QuerySelector(".flash-success")!.TextContent);
            Assert.Null(after.QuerySelector("#web-unknown-query"));
            Assert.Contains("Admin panel", after.QuerySelector("tr[data-operation='CreateTweet']")!.TextContent);
            await DrainAsync();

            var published = await DeliveryAsync(deliveryId);
            Assert.True(published.State == DeliveryStates.Published, $"{published.State}: {published.Reason}");
            Assert.Equal(["Waits for a fresh query id"], PostsOnX().Select(p => p.Text));
        }
        finally
        {
            await SandboxAsync($"/sandbox/web/query-ids/CreateTweet/{XWebOperationsDefaults.CreateTweet}");
        }
    }

    [Fact]
    public async Task CookiePathSwitchedOff_ConnectRefusedAndPostsHeld_BackOnTheyGoOut()
    {
        var deliveryId = await QueueAsync(["Queued before the switch"]);
        var admin = await app.LogInAsAdminAsync();
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using (await admin.SubmitAsync(await admin.GetDocumentAsync("/admin/api-integration/x-twitter"), "#save-web",
                   new Dictionary<string, string> { ["Web.Enabled"] = "false" }))
        {
        }

        await DrainAsync();
        var held = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Held, held.State);
        Assert.Contains("turned off by this instance's admin", held.Reason);
        var other = await app.RegisterAsync($"cookie-off-{Guid.NewGuid():N}@sosyabot.test");
        using var refused = await other.PostAsJsonAsync("/api/v1/auth/twitter/unofficial",
            new { auth_token = app.SandboxState.Everyone[2].WebAuthToken, ct0 = NewCt0() });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Contains("turned off by this instance's admin", await refused.Content.ReadAsStringAsync());
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var rejected = await Assert.ThrowsAsync<DraftRejectedException>(() => scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
                _channel.WorkspaceId, _channel.ConnectedByUserId, new PostDraft(["Queued while off"], [_channel.Id], null, "UTC", null),
                CancellationToken.None));
            Assert.Contains("cookie", string.Join(" ", rejected.Problems));
        }
        Assert.Empty(PostsOnX());

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        using (await admin.SubmitAsync(await admin.GetDocumentAsync("/admin/api-integration/x-twitter"), "#save-web",
                   new Dictionary<string, string> { ["Web.Enabled"] = "true" }))
        {
        }
        await DrainAsync();

        var published = await DeliveryAsync(deliveryId);
        Assert.True(published.State == DeliveryStates.Published, $"{published.State}: {published.Reason}");
        Assert.Equal(["Queued before the switch"], PostsOnX().Select(p => p.Text));
    }

    [Fact]
    public async Task DeleteFromX_CookieChannel_RefusedWithWhereToDoItAndNoButtonOffered()
    {
        var deliveryId = await QueueAsync(["Published through cookies"]);
        await DrainAsync();
        var published = await DeliveryAsync(deliveryId);
        Assert.Equal(DeliveryStates.Published, published.State);

        var page = await _user.GetDocumentAsync($"/app/publishing/posts/{published.PostId}");
        await using var scope = app.Services.CreateAsyncScope();
        var refused = await Assert.ThrowsAsync<PostConflictException>(() => scope.ServiceProvider.GetRequiredService<PostLifecycle>()
            .DeleteFromXAsync(_channel.WorkspaceId, published.PostId, null, CancellationToken.None));

        Assert.Null(page.QuerySelector("button.delete-from-x"));
        Assert.Contains("delete it on x.com", page.Body!.TextContent);
        Assert.Contains($"@{_channel.Handle} is connected with browser cookies", refused.Message);
        Assert.Single(PostsOnX());
    }

    private static class XWebOperationsDefaults
    {
        public static string CreateTweet => Sosyabot.Web.X.XWebOperations.DefaultQueryIds["CreateTweet"];
    }

    private List<SandboxPost> PostsOnX() => [.. app.SandboxState.Posts.Where(p => p.Account.Id == _account.Id)];

    private async Task<Channel> ConnectAsync(string authToken, string ct0)
    {
        using var response = await _user.PostAsJsonAsync("/api/v1/auth/twitter/unofficial", new { auth_token = authToken, ct0 });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await ChannelAsync();
    }

    private async Task<Channel> ChannelAsync()
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Channels.AsNoTracking().Include(c => c.ConnectedBy)
            .Where(c => c.XUserId == _account.Id && c.Kind == ChannelKind.Cookie)
            .OrderByDescending(c => c.ConnectedAt).FirstAsync();
    }

    private async Task SandboxAsync(string path)
    {
        using var http = new HttpClient();
        (await http.PostAsync(app.SandboxAddress + path, null)).EnsureSuccessStatusCode();
    }

    private async Task<Guid> QueueAsync(string[] parts, IReadOnlyList<MediaDraft>? media = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
            _channel.WorkspaceId, _channel.ConnectedByUserId, new PostDraft(parts, [_channel.Id], null, "UTC", media), CancellationToken.None);
        return post.Deliveries.Single().Id;
    }

    private Task DrainAsync() => app.Services.GetRequiredService<Publisher>().DrainAsync();

    private async Task<Delivery> DeliveryAsync(Guid id)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id);
    }

    private static string NewCt0() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
}
