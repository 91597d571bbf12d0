using System.Net.Http.Headers;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Agents;

// A registered user's workspace with channels and API tokens, made through the real pages.
internal sealed class AgentWorkspace(AppWithFakeX? app, BrowserClient user)
{
    public BrowserClient User { get; } = user;

    public static async Task<AgentWorkspace> RegisterAsync(AppWithFakeX app) =>
        new(app, await app.RegisterAsync($"agent-{Guid.NewGuid():N}@sosyabot.test"));

    // X answering the two calls a keys connect makes: who the access token is, and the account read with the bearer.
    public static void GivenXKnows(AppWithFakeX app, ByokKeys keys)
    {
        var profile = new
        {
            data = new { id = keys.XUserId, username = keys.Username, name = "BYOK " + keys.Username, profile_image_url = "https://pbs.example.test/b.png" },
        };
        app.X.Given(Request.Create().WithPath("/2/users/me").UsingGet().WithHeader("Authorization", $"*oauth_token=\"{keys.AccessToken}\"*"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(profile));
        app.X.Given(Request.Create().WithPath($"/2/users/by/username/{keys.Username}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(profile));
    }

    public Task<IDocument> SubmitApiKeysAsync(ByokKeys keys, IReadOnlyDictionary<string, string>? overrides = null) =>
        RemotePerson.SubmitApiKeysAsync(User, keys, overrides);

    public async Task<Channel> ConnectApiKeysAsync(ByokKeys keys)
    {
        ArgumentNullException.ThrowIfNull(app);
        GivenXKnows(app, keys);
        var landed = await SubmitApiKeysAsync(keys);
        Assert.True(landed.QuerySelector(".flash-success") is not null, landed.QuerySelector(".flash-error")?.TextContent ?? "no message");
        await using var db = app.Database.CreateDbContext();
        return await db.Channels.AsNoTracking().SingleAsync(c => c.XUserId == keys.XUserId && c.Kind == ChannelKind.ApiKeys && c.State == ChannelStates.Active);
    }

    public Task<string> CreateTokenAsync(params string[] scopes) => RemotePerson.CreateTokenAsync(User, scopes);

    // An HTTP client the way an agent has one: the app's address and a bearer token, no cookies.
    public static HttpClient Agent(AppWithFakeX app, string token)
    {
        var client = app.CreateClient(
            new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
