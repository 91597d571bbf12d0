using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Channels;

public sealed class XConnectTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private const string Callback = SosyabotAppFactory.BaseUrl + XConnectFlow.CallbackPath;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ConnectX_Clicked_RedirectsToAuthorizeUrlWithExactParameters()
    {
        var user = await app.RegisterAsync(NewEmail());

        var authorize = await XConnectFlow.StartAsync(user);

        Assert.Equal(AppWithFakeX.AuthorizeUrl, authorize.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(authorize.Query);
        Assert.Equal(
            ["client_id", "code_challenge", "code_challenge_method", "redirect_uri", "response_type", "scope", "state"],
            query.Keys.Order().ToArray());
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(AppWithFakeX.ClientId, query["client_id"]);
        Assert.Equal(Callback, query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Equal(
            "tweet.read tweet.write users.read like.read like.write bookmark.read bookmark.write dm.read dm.write media.write",
            query["scope"]);
        Assert.DoesNotContain("offline.access", query["scope"].ToString());
    }

    [Fact]
    public async Task Callback_WithCode_ExchangesWithBasicAuthAndVerifierAndShowsActiveChannel()
    {
        app.GivenTokenEndpointIssues("access-token-1");
        app.GivenUsersMe("4001", "connected_one", "Connected One");
        var user = await app.RegisterAsync(NewEmail());
        var authorize = await XConnectFlow.StartAsync(user);

        var page = await XConnectFlow.CallbackAsync(user,
            new Dictionary<string, string?> { ["code"] = "the-code", ["state"] = XConnectFlow.StateOf(authorize) });

        Assert.Equal("@connected_one is connected.", XConnectFlow.Flash(page));
        Assert.Equal("active", XConnectFlow.StateBadge(page, "connected_one"));

        var token = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/token").RequestMessage;
        var expectedBasic = Convert.ToBase64String(Encoding.ASCII.GetBytes($"{AppWithFakeX.ClientId}:{AppWithFakeX.ClientSecret}"));
        Assert.Equal("Basic " + expectedBasic, token.Headers!["Authorization"].Single());
        var form = QueryHelpers.ParseQuery(token.Body);
        Assert.Equal(["code", "code_verifier", "grant_type", "redirect_uri"], form.Keys.Order().ToArray());
        Assert.Equal("authorization_code", form["grant_type"]);
        Assert.Equal("the-code", form["code"]);
        Assert.Equal(Callback, form["redirect_uri"]);
        var challenge = QueryHelpers.ParseQuery(authorize.Query)["code_challenge"].ToString();
        Assert.Equal(challenge, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"]!))));

        var me = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/users/me").RequestMessage;
        Assert.Equal("Bearer access-token-1", me.Headers!["Authorization"].Single());
        var stored = string.Join("\n", await app.Database.ReadColumnAsync("SELECT access_token_protected FROM channels"));
        Assert.DoesNotContain("access-token-1", stored);
    }

    [Fact]
    public async Task Callback_SameStateReplayed_IsRejectedWithoutCallingX()
    {
        app.GivenTokenEndpointIssues("access-token-replay");
        app.GivenUsersMe("4002", "replayed");
        var user = await app.RegisterAsync(NewEmail());
        var authorize = await XConnectFlow.StartAsync(user);
        var correlation = user.Cookies.GetAllCookies().Single(c => c.Name.StartsWith("sosyabot.x-connect.", StringComparison.Ordinal));
        var query = new Dictionary<string, string?> { ["code"] = "code-replay", ["state"] = XConnectFlow.StateOf(authorize) };
        await XConnectFlow.CallbackAsync(user, query);

        var withoutCookie = await XConnectFlow.CallbackAsync(user, query);
        user.Cookies.Add(new Cookie(correlation.Name, correlation.Value, correlation.Path, correlation.Domain));
        var withStolenCookie = await XConnectFlow.CallbackAsync(user, query);

        Assert.Equal(XConnectErrors.StaleAttempt, XConnectFlow.Flash(withoutCookie));
        Assert.Equal(XConnectErrors.StaleAttempt, XConnectFlow.Flash(withStolenCookie));
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/token");
    }

    [Fact]
    public async Task Callback_TamperedState_IsRejectedWithoutCallingX()
    {
        var user = await app.RegisterAsync(NewEmail());
        var state = XConnectFlow.StateOf(await XConnectFlow.StartAsync(user));
        var tampered = state[..^4] + (state[^4..] == "AAAA" ? "BBBB" : "AAAA");

        var page = await XConnectFlow.CallbackAsync(user, new Dictionary<string, string?> { ["code"] = "c", ["state"] = tampered });

        AssertRejectedWithoutCallingX(page);
    }

    [Fact]
    public async Task Callback_StateOfAnotherUser_IsRejectedWithoutCallingX()
    {
        var victim = await app.RegisterAsync(NewEmail());
        var state = XConnectFlow.StateOf(await XConnectFlow.StartAsync(victim));
        var attacker = await app.RegisterAsync(NewEmail());
        foreach (var cookie in victim.Cookies.GetAllCookies().Where(c => c.Name.StartsWith("sosyabot.x-connect.", StringComparison.Ordinal)))
        {
            attacker.Cookies.Add(new Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        var page = await XConnectFlow.CallbackAsync(attacker, new Dictionary<string, string?> { ["code"] = "c", ["state"] = state });

        AssertRejectedWithoutCallingX(page);
    }

    [Fact]
    public async Task Callback_StateOlderThanItsLifetime_IsRejected()
    {
        var user = await app.RegisterAsync(NewEmail());
        var state = XConnectFlow.StateOf(await XConnectFlow.StartAsync(user));
        app.Clock.Advance(XConnectDefaults.AttemptLifetime + TimeSpan.FromSeconds(1));

        var page = await XConnectFlow.CallbackAsync(user, new Dictionary<string, string?> { ["code"] = "c", ["state"] = state });

        AssertRejectedWithoutCallingX(page);
    }

    [Fact]
    public async Task Callback_ConsentDenied_SaysSoAndConnectsNothing()
    {
        var user = await app.RegisterAsync(NewEmail());
        var state = XConnectFlow.StateOf(await XConnectFlow.StartAsync(user));

        var page = await XConnectFlow.CallbackAsync(user, new Dictionary<string, string?> { ["error"] = "access_denied", ["state"] = state });

        Assert.Equal(XConnectErrors.ConsentDenied, XConnectFlow.Flash(page));
        Assert.NotNull(page.QuerySelector("#no-channels"));
    }

    [Fact]
    public async Task Callback_TokenEndpointAnswers401_ExplainsCredentialsAndAppType()
    {
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(401)
                .WithBodyAsJson(new { error = "unauthorized_client", error_description = "Missing valid authorization header" }));
        var user = await app.RegisterAsync(NewEmail());

        var page = await XConnectFlow.ConnectAsync(user);

        var message = XConnectFlow.Flash(page)!;
        Assert.Contains("401", message);
        Assert.Contains("Native App", message);
        Assert.Contains("Web App, Automated App or Bot", message);
    }

    [Fact]
    public async Task Callback_RedirectUriMismatch_NamesTheCallbackToRegister()
    {
        app.X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(400).WithBodyAsJson(new
            {
                error = "invalid_request",
                error_description = "Value passed for the redirect uri did not match the uri of the authorization code.",
            }));
        var user = await app.RegisterAsync(NewEmail());

        var page = await XConnectFlow.ConnectAsync(user);

        Assert.Contains($"Register exactly {Callback}", XConnectFlow.Flash(page));
    }

    [Fact]
    public async Task ConnectSameAccountTwice_InOneWorkspace_UpdatesInsteadOfDuplicating()
    {
        app.GivenTokenEndpointIssues("access-token-twice");
        app.GivenUsersMe("4003", "twice");
        var user = await app.RegisterAsync(NewEmail());

        await XConnectFlow.ConnectAsync(user, "code-a");
        var page = await XConnectFlow.ConnectAsync(user, "code-b");

        Assert.Single(page.QuerySelectorAll("li.channel[data-handle='twice']"));
    }

    [Fact]
    public async Task IntegrationDisabled_ChannelsPage_HidesConnectAndSaysWhy()
    {
        await XConnectFlow.ConfigureIntegrationAsync(app, status: "disabled");
        var user = await app.RegisterAsync(NewEmail());

        var page = await user.GetDocumentAsync("/app/channels");

        Assert.Null(page.QuerySelector("#connect-x"));
        Assert.Contains("X (Twitter) integration disabled by admin", page.QuerySelector("#oauth-unavailable")!.TextContent);
    }

    [Fact]
    public async Task AccessTokenExpired_LongLivedOff_ChannelShowsNeedsReconnect()
    {
        app.GivenTokenEndpointIssues("access-token-expiring", expiresIn: 7200);
        app.GivenUsersMe("4004", "expiring");
        var user = await app.RegisterAsync(NewEmail());
        var connected = await XConnectFlow.ConnectAsync(user);
        Assert.Equal("active", XConnectFlow.StateBadge(connected, "expiring"));

        app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        var page = await user.GetDocumentAsync("/app/channels");

        Assert.Equal("needs_reconnect", XConnectFlow.StateBadge(page, "expiring"));
        Assert.Contains("expired", page.QuerySelector("li.channel[data-handle='expiring'] .reason")!.TextContent);
    }

    [Fact]
    public async Task Check_XAnswers401_MarksNeedsReconnect()
    {
        app.GivenTokenEndpointIssues("access-token-revoked");
        app.GivenUsersMe("4005", "revoked_elsewhere");
        var user = await app.RegisterAsync(NewEmail());
        var connected = await XConnectFlow.ConnectAsync(user);
        var detailsUrl = connected.QuerySelector("li.channel[data-handle='revoked_elsewhere'] a.handle")!.GetAttribute("href")!;
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/2/users/me").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { title = "Unauthorized", status = 401, detail = "Unauthorized" }));

        var details = await user.GetDocumentAsync(detailsUrl);
        using var response = await user.SubmitAsync(details, "#check");
        var page = await HtmlForms.ParseAsync(response);

        Assert.Equal("needs_reconnect", page.QuerySelector("#channel-state")!.TextContent);
        Assert.Contains("401", page.QuerySelector(".flash-error")!.TextContent);
    }

    [Fact]
    public async Task Disconnect_OAuthChannel_RevokesAtXAndDeletesTokens()
    {
        app.GivenTokenEndpointIssues("access-token-to-revoke");
        app.GivenUsersMe("4006", "leaving");
        app.X.Given(Request.Create().WithPath("/2/oauth2/revoke").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { revoked = true }));
        var user = await app.RegisterAsync(NewEmail());
        var connected = await XConnectFlow.ConnectAsync(user);
        var detailsUrl = connected.QuerySelector("li.channel[data-handle='leaving'] a.handle")!.GetAttribute("href")!;

        var details = await user.GetDocumentAsync(detailsUrl);
        using var response = await user.SubmitAsync(details, "#disconnect");
        var page = await HtmlForms.ParseAsync(response);

        Assert.Equal("disconnected", page.QuerySelector("#channel-state")!.TextContent);
        var revoke = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/revoke").RequestMessage;
        var form = QueryHelpers.ParseQuery(revoke.Body);
        Assert.Equal("access-token-to-revoke", form["token"]);
        Assert.Equal("access_token", form["token_type_hint"]);
        Assert.StartsWith("Basic ", revoke.Headers!["Authorization"].Single());
        var channelId = detailsUrl.Split('/').Last();
        Assert.Equal([""], await app.Database.ReadColumnAsync($"SELECT access_token_protected FROM channels WHERE id = '{channelId}'"));
    }

    private void AssertRejectedWithoutCallingX(AngleSharp.Dom.IDocument page)
    {
        Assert.Equal(XConnectErrors.StaleAttempt, XConnectFlow.Flash(page));
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/token");
    }

    private static string NewEmail() => $"user-{Guid.NewGuid():N}@sosyabot.test";
}
