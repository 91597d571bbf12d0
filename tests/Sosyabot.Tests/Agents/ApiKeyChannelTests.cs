using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Agents;

public sealed class ApiKeyChannelTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Theory]
    [InlineData("ApiKeys.BearerToken", "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "starts with AAAA")]
    [InlineData("ApiKeys.BearerToken", "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", "starts with AAAA")]
    [InlineData("ApiKeys.BearerToken", "", "starts with AAAA")]
    [InlineData("ApiKeys.ApiKey", "", "API key (consumer key) is required")]
    [InlineData("ApiKeys.ApiSecret", "not a secret!", "API key secret")]
    [InlineData("ApiKeys.AccessToken", "AccessTokenWithoutTheUserId0123", "{user_id}-{token}")]
    [InlineData("ApiKeys.AccessToken", "", "both the access token and its secret, or neither")]
    [InlineData("ApiKeys.AccessTokenSecret", "", "both the access token and its secret, or neither")]
    public async Task ConnectApiKeys_MalformedInput_ShowsTheFieldProblemAndAsksXNothing(string field, string value, string expected)
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite();

        var page = await workspace.SubmitApiKeysAsync(keys, new Dictionary<string, string> { [field] = value });

        Assert.Contains(expected, page.QuerySelector("#api-keys-connect .flash-error")!.TextContent);
        Assert.Null(page.QuerySelector("#cookie-connect .flash-error"));
        Assert.Empty(app.X.LogEntries);
        // What was typed is not sent back: not a key, not a secret.
        Assert.DoesNotContain(keys.ApiSecret, page.Source.Text);
        Assert.DoesNotContain(keys.AccessTokenSecret!, page.Source.Text);
    }

    [Fact]
    public async Task ConnectApiKeys_WithoutAccessPairOrHandle_AsksWhichAccountToRead()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite().ReadOnly();

        var page = await workspace.SubmitApiKeysAsync(keys, new Dictionary<string, string> { ["ApiKeys.Username"] = "" });

        Assert.Contains("name the account to read", page.QuerySelector("#api-keys-connect .flash-error")!.TextContent);
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task ConnectApiKeys_WithAccessPair_VerifiesSignedUsersMeAndBearerThenStoresEncrypted()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite();

        var channel = await workspace.ConnectApiKeysAsync(keys);

        var me = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/users/me").RequestMessage;
        OAuth1Check.AssertSignedByUser(me, keys);
        var lookup = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == $"/2/users/by/username/{keys.Username}").RequestMessage;
        OAuth1Check.AssertAppBearer(lookup, keys);
        Assert.False(channel.IsReadOnly);

        var page = await workspace.User.GetDocumentAsync("/app/channels");
        var row = page.QuerySelector($"li.channel[data-handle='{keys.Username}']")!;
        Assert.Equal("API keys", row.QuerySelector("[data-kind]")!.TextContent);
        Assert.Null(row.QuerySelector("[data-read-only]"));

        var stored = string.Join("\n", await app.Database.ReadColumnAsync("SELECT COALESCE(api_keys_protected, '') FROM channels"));
        foreach (var secret in new[] { keys.ApiKey, keys.ApiSecret, keys.BearerToken, keys.AccessToken!, keys.AccessTokenSecret! })
        {
            Assert.DoesNotContain(secret, stored);
            Assert.DoesNotContain(secret, page.Source.Text);
            Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(secret));
        }
    }

    [Fact]
    public async Task ConnectApiKeys_WithoutAccessPair_ReadsTheNamedAccountWithTheBearerAndMarksReadOnly()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite().ReadOnly();

        var channel = await workspace.ConnectApiKeysAsync(keys);

        Assert.True(channel.IsReadOnly);
        var lookup = Assert.Single(app.X.LogEntries).RequestMessage;
        Assert.Equal($"/2/users/by/username/{keys.Username}", lookup.Path);
        OAuth1Check.AssertAppBearer(lookup, keys);
        var page = await workspace.User.GetDocumentAsync("/app/channels");
        Assert.NotNull(page.QuerySelector($"li.channel[data-handle='{keys.Username}'] [data-read-only]"));
        var composer = await workspace.User.GetDocumentAsync("/app/publishing");
        Assert.Contains("read-only", composer.Body!.TextContent);
    }

    [Fact]
    public async Task ConnectApiKeys_UsernameXDoesNotKnow_SaysSoInXsWordsAndSavesNothing()
    {
        app.X.Reset();
        var keys = ByokKeys.NewReadWrite().ReadOnly();
        // X answers an unknown username with HTTP 200 and errors[] in place of data.
        app.X.Given(Request.Create().WithPath($"/2/users/by/username/{keys.Username}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                errors = new[]
                {
                    new
                    {
                        value = keys.Username, detail = $"Could not find user with username: [{keys.Username}].", title = "Not Found Error",
                        resource_type = "user", parameter = "username", resource_id = keys.Username,
                        type = "https://api.twitter.com/2/problems/resource-not-found",
                    },
                },
            }));
        var workspace = await AgentWorkspace.RegisterAsync(app);

        var page = await workspace.SubmitApiKeysAsync(keys);

        var error = page.QuerySelector("#api-keys-connect .flash-error")!.TextContent;
        Assert.Contains($"X has no account @{keys.Username}", error);
        Assert.Contains($"Could not find user with username: [{keys.Username}]", error);
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Channels.AnyAsync(c => c.XUserId == keys.XUserId));
    }

    [Fact]
    public async Task ConnectApiKeys_XAnswers401_ShowsTheRegenerateKeysGuidanceAndSavesNothing()
    {
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/2/users/me").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401)
                .WithBodyAsJson(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }));
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite();

        var page = await workspace.SubmitApiKeysAsync(keys);

        var error = page.QuerySelector("#api-keys-connect .flash-error")!.TextContent;
        Assert.Contains("the consumer key/secret is invalid or the app is suspended", error);
        Assert.Contains("Regenerate the keys", error);
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Channels.AnyAsync(c => c.XUserId == keys.XUserId));
    }

    [Fact]
    public async Task Publish_ThroughApiKeyChannel_PostsSignedWithOAuth1AndJsonBodyOutsideTheSignature()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite();
        var channel = await workspace.ConnectApiKeysAsync(keys);
        app.X.Reset();
        var posts = new FakeXPosts(app.Clock);
        posts.Install(app.X);

        await QueueAsync(channel, "Hello from my own X app");
        await DrainAsync();

        var created = Assert.Single(posts.Created);
        Assert.Equal("Hello from my own X app", created.Text);
        var request = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets").RequestMessage;
        OAuth1Check.AssertSignedByUser(request, keys);
        Assert.StartsWith("application/json", request.Headers!["Content-Type"].Single());
    }

    [Fact]
    public async Task Publish_ApiKeyChannelGets403_FailsWithTheReadOnlyAppGuidance()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var channel = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/2/tweets").UsingPost()).RespondWith(Response.Create().WithStatusCode(403).WithBodyAsJson(new
        {
            title = "Forbidden", status = 403, detail = "Your client app is not configured with the appropriate oauth1 app permissions for this endpoint.",
        }));

        var deliveryId = await QueueAsync(channel, "Will be refused");
        await DrainAsync();

        await using var db = app.Database.CreateDbContext();
        var delivery = await db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId);
        Assert.Equal(DeliveryStates.Failed, delivery.State);
        Assert.Contains("the app or its access token is read-only", delivery.Reason);
        Assert.Contains("Read and write", delivery.Reason);
        Assert.Contains("regenerate the access token and secret", delivery.Reason);
        var history = await workspace.User.GetDocumentAsync("/app/publishing");
        Assert.Contains("the app or its access token is read-only", history.Body!.TextContent);
    }

    [Fact]
    public async Task Queue_ReadOnlyApiKeyChannel_IsRefusedWithTheGuidanceBeforeX()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var channel = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite().ReadOnly());
        app.X.Reset();

        var refused = await Assert.ThrowsAsync<DraftRejectedException>(() => QueueAsync(channel, "No access token"));

        Assert.Contains("is read-only", refused.Message);
        Assert.Contains("Read and write", refused.Message);
        Assert.Empty(app.X.LogEntries);
    }

    private async Task<Guid> QueueAsync(Channel channel, string text)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var post = await scope.ServiceProvider.GetRequiredService<PublishingQueue>().QueueAsync(
            channel.WorkspaceId, channel.ConnectedByUserId, new PostDraft([text], [channel.Id], null, "UTC"), CancellationToken.None);
        return post.Deliveries.Single().Id;
    }

    private Task DrainAsync() => app.Services.GetRequiredService<Publisher>().DrainAsync();
}
