using System.Net.Http.Headers;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Agents;

/// <summary>A registered user's workspace with channels and API tokens, made through the real pages.</summary>
internal sealed class AgentWorkspace(AppWithFakeX? app, BrowserClient user)
{
    public BrowserClient User { get; } = user;

    public static async Task<AgentWorkspace> RegisterAsync(AppWithFakeX app) =>
        new(app, await app.RegisterAsync($"agent-{Guid.NewGuid():N}@sosyabot.test"));

    /// <summary>X answering the two calls a keys connect makes: who the access token is, and the account read with the bearer.</summary>
    public static void GivenXKnows(AppWithFakeX app, ByokKeys keys)
    {
        var profile = new { data = new { id = keys.XUserId, username = keys.Username, name = "BYOK " + keys.Username, profile_image_url = "https://pbs.example.test/b.png" } };
        app.X.Given(Request.Create().WithPath("/2/users/me").UsingGet().WithHeader("Authorization", $"*oauth_token=\"{keys.AccessToken}\"*"))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(profile));
        app.X.Given(Request.Create().WithPath($"/2/users/by/username/{keys.Username}").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(profile));
    }

    /// <summary>Fills in "Connect with API keys" on /app/channels and returns the page the browser lands on.</summary>
    public async Task<IDocument> SubmitApiKeysAsync(ByokKeys keys, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var page = await User.GetDocumentAsync("/app/channels");
        var values = keys.FormValues();
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            values[name] = value;
        }
        using var response = await User.SubmitAsync(page, "#connect-api-keys", values);
        return await HtmlForms.ParseAsync(response);
    }

    public async Task<Channel> ConnectApiKeysAsync(ByokKeys keys)
    {
        ArgumentNullException.ThrowIfNull(app);
        GivenXKnows(app, keys);
        var landed = await SubmitApiKeysAsync(keys);
        Assert.True(landed.QuerySelector(".flash-success") is not null, landed.QuerySelector(".flash-error")?.TextContent ?? "no message");
        await using var db = app.Database.CreateDbContext();
        return await db.Channels.AsNoTracking().SingleAsync(c => c.XUserId == keys.XUserId && c.Kind == ChannelKind.ApiKeys && c.State == ChannelStates.Active);
    }

    /// <summary>Creates a token on Settings → API tokens and reads it off the page, the one time it is shown.</summary>
    public async Task<string> CreateTokenAsync(params string[] scopes)
    {
        var page = await User.GetDocumentAsync("/app/settings/api-tokens");
        var form = page.QuerySelector("#create-token")!;
        foreach (var box in form.QuerySelectorAll("input[type=checkbox]"))
        {
            box.RemoveAttribute("checked");
        }
        var name = "agent-" + Guid.NewGuid().ToString("N")[..8];
        // HtmlForms posts one value per name; scopes repeat, so the form is posted by hand with the page's antiforgery token.
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!),
            new("Input.Name", name),
        };
        fields.AddRange(scopes.Select(s => new KeyValuePair<string, string>("Input.Scopes", s)));
        using var response = await User.PostAsync("/app/settings/api-tokens?handler=Create", new FormUrlEncodedContent(fields));
        var shown = await HtmlForms.ParseAsync(response);
        return shown.QuerySelector("#token-secret")?.GetAttribute("value")
               ?? throw new InvalidOperationException("No token shown: " + shown.QuerySelector(".flash-error")?.TextContent);
    }

    /// <summary>An HTTP client the way an agent has one: the app's address and a bearer token, no cookies.</summary>
    public static HttpClient Agent(AppWithFakeX app, string token)
    {
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
