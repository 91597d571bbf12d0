using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Channels;

public sealed class TokenRenewalTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app, longLived: true);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ConnectX_LongLivedOn_RequestsOfflineAccess()
    {
        var user = await app.RegisterAsync($"u-{Guid.NewGuid():N}@sosyabot.test");

        var authorize = await XConnectFlow.StartAsync(user);

        Assert.EndsWith(" offline.access", QueryHelpers.ParseQuery(authorize.Query)["scope"].ToString());
    }

    [Fact]
    public async Task GetAccessToken_NearExpiryFromTwoCallersAtOnce_RefreshesOnceAndStoresRotatedPair()
    {
        var channelId = await ConnectAsync("renew_me", "4101", "access-1", "refresh-1");
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains("grant_type=refresh_token")))
            .RespondWith(Response.Create().WithDelay(TimeSpan.FromMilliseconds(300)).WithStatusCode(200).WithBodyAsJson(new
            {
                token_type = "bearer", expires_in = 7200, access_token = "access-2", refresh_token = "refresh-2", scope = "tweet.read offline.access",
            }));
        app.Clock.Advance(TimeSpan.FromHours(2) - ChannelTokens.RenewalMargin + TimeSpan.FromSeconds(1));

        var tokens = await Task.WhenAll(GetAccessTokenAsync(channelId), GetAccessTokenAsync(channelId));

        Assert.Equal(["access-2", "access-2"], tokens);
        var refresh = Assert.Single(app.X.LogEntries,
            e => e.RequestMessage.Path == "/2/oauth2/token" && e.RequestMessage.Body!.Contains("refresh_token")).RequestMessage;
        Assert.Equal("refresh-1", QueryHelpers.ParseQuery(refresh.Body)["refresh_token"]);
        Assert.StartsWith("Basic ", refresh.Headers!["Authorization"].Single());
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId);
        var secrets = scope.ServiceProvider.GetRequiredService<ChannelSecrets>();
        Assert.Equal("refresh-2", secrets.RefreshToken(channel));
        Assert.Equal(app.Clock.GetUtcNow().AddSeconds(7200), channel.AccessTokenExpiresAt!.Value, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task GetAccessToken_TokenStillFresh_DoesNotRefresh()
    {
        var channelId = await ConnectAsync("fresh", "4102", "access-fresh", "refresh-fresh");
        app.Clock.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal("access-fresh", await GetAccessTokenAsync(channelId));
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Body?.Contains("grant_type=refresh_token") == true);
    }

    [Fact]
    public async Task GetAccessToken_XRefusesRefresh_MarksNeedsReconnectWithReason()
    {
        var channelId = await ConnectAsync("refused", "4103", "access-r", "refresh-r");
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains("grant_type=refresh_token")))
            .RespondWith(Response.Create().WithStatusCode(400)
                .WithBodyAsJson(new { error = "invalid_request", error_description = "Value passed for the token was invalid." }));
        app.Clock.Advance(TimeSpan.FromHours(3));

        var failure = await Assert.ThrowsAsync<ChannelNeedsReconnectException>(() => GetAccessTokenAsync(channelId));

        Assert.Contains("Value passed for the token was invalid.", failure.Message);
        var states = await app.Database.ReadColumnAsync($"SELECT state || ':' || state_reason FROM channels WHERE id = '{channelId}'");
        Assert.StartsWith("needs_reconnect:X refused to renew the connection (400", Assert.Single(states));
    }

    [Fact]
    public async Task GetAccessToken_XThrottlesTheRefresh_StaysConnectedAndRenewsOnTheNextCall()
    {
        var channelId = await ConnectAsync("throttled", "4104", "access-t", "refresh-t");
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains("grant_type=refresh_token")))
            .AtPriority(1)
            .RespondWith(Response.Create().WithStatusCode(429)
                .WithBodyAsJson(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }));
        app.Clock.Advance(TimeSpan.FromHours(3));

        var throttled = await Assert.ThrowsAsync<Sosyabot.Web.X.XApiException>(() => GetAccessTokenAsync(channelId));

        Assert.Equal(System.Net.HttpStatusCode.TooManyRequests, throttled.Status);
        Assert.Equal(["active"], await app.Database.ReadColumnAsync($"SELECT state FROM channels WHERE id = '{channelId}'"));
        // The refresh token was not spent: X takes it once it answers again.
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains("refresh_token=refresh-t")))
            .AtPriority(0)
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                token_type = "bearer", expires_in = 7200, access_token = "access-t2", refresh_token = "refresh-t2", scope = "tweet.read offline.access",
            }));
        Assert.Equal("access-t2", await GetAccessTokenAsync(channelId));
    }

    [Fact]
    public async Task Publish_XThrottlesTheRenewal_PostWaitsForXsResetWithoutCountingAnAttempt()
    {
        var channelId = await ConnectAsync("throttled_post", "4105", "access-p", "refresh-p");
        var reset = app.Clock.GetUtcNow().AddHours(3).AddMinutes(7);
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains("grant_type=refresh_token")))
            .RespondWith(Response.Create().WithStatusCode(429)
                .WithHeader("x-rate-limit-limit", "50").WithHeader("x-rate-limit-remaining", "0")
                .WithHeader("x-rate-limit-reset", reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithBodyAsJson(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }));
        app.Clock.Advance(TimeSpan.FromHours(3));
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId);
        var post = await scope.ServiceProvider.GetRequiredService<Sosyabot.Web.Publishing.PublishingQueue>().QueueAsync(channel.WorkspaceId,
            channel.ConnectedByUserId, new Sosyabot.Web.Publishing.PostDraft(["Waits for the renewal"], [channelId], null, "UTC"), CancellationToken.None);

        await app.Services.GetRequiredService<Sosyabot.Web.Publishing.Publisher>().DrainAsync();

        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.PostId == post.Id);
        Assert.Equal(Sosyabot.Web.Publishing.DeliveryStates.WaitingForRateLimit, delivery.State);
        Assert.Equal(reset.ToUnixTimeSeconds(), delivery.DueAt.ToUnixTimeSeconds());
        Assert.Contains("Waiting for X to renew the connection", delivery.Reason);
        Assert.Equal(0, delivery.Attempts);
        Assert.Equal(["active"], await app.Database.ReadColumnAsync($"SELECT state FROM channels WHERE id = '{channelId}'"));
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");
    }

    private async Task<Guid> ConnectAsync(string handle, string xUserId, string accessToken, string refreshToken)
    {
        app.GivenTokenEndpointIssues(accessToken, refreshToken);
        app.GivenUsersMe(xUserId, handle);
        var user = await app.RegisterAsync($"u-{Guid.NewGuid():N}@sosyabot.test");
        var page = await XConnectFlow.ConnectAsync(user);
        Assert.Equal("active", XConnectFlow.StateBadge(page, handle));
        return Guid.Parse(page.QuerySelector($"li.channel[data-handle='{handle}'] a.handle")!.GetAttribute("href")!.Split('/').Last());
    }

    private async Task<string> GetAccessTokenAsync(Guid channelId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ChannelTokens>().GetAccessTokenAsync(channelId, CancellationToken.None);
    }
}
