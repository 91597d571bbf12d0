using Microsoft.EntityFrameworkCore;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sosyabot.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Channels;

public sealed class CookieConnectTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    private const string Endpoint = "/api/v1/auth/twitter/unofficial";
    private const string AuthToken = "0123456789abcdef0123456789abcdef01234567";
    private const string Ct0 = "fedcba9876543210fedcba9876543210";

    [Theory]
    [InlineData("", Ct0, "required")]
    [InlineData(AuthToken, "", "required")]
    [InlineData("auth_token=0123456789abcdef0123456789abcdef01234567", Ct0, "40 hexadecimal")]
    [InlineData("0123456789ABCDEF0123456789ABCDEF01234567", Ct0, "40 hexadecimal")]
    [InlineData(AuthToken, "not-hex", "32 to 160 hexadecimal")]
    [InlineData(AuthToken, "abc", "32 to 160 hexadecimal")]
    public async Task Api_MalformedCookies_Answers400AndAsksXNothing(string authToken, string ct0, string expected)
    {
        app.X.Reset();
        var user = await app.RegisterAsync(NewEmail());

        using var response = await user.PostAsJsonAsync(Endpoint, new { auth_token = authToken, ct0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task Api_XRejectsSession_Answers422AndSavesNothing()
    {
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/i/api/1.1/account/verify_credentials.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(401)
                .WithBodyAsJson(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }));
        var email = NewEmail();
        var user = await app.RegisterAsync(email);

        using var response = await user.PostAsJsonAsync(Endpoint, new { auth_token = AuthToken, ct0 = Ct0 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("Could not authenticate you.", await response.Content.ReadAsStringAsync());
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Channels.AnyAsync(c => c.ConnectedBy.Email == email));
    }

    [Fact]
    public async Task Api_ValidSession_VerifiesWithXThenStoresEncryptedCookieChannel()
    {
        app.X.Reset();
        app.X.Given(Request.Create().WithPath("/i/api/1.1/account/verify_credentials.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                id_str = "5001", screen_name = "cookie_user", name = "Cookie User", profile_image_url_https = "https://pbs.example.test/c.png",
            }));
        var user = await app.RegisterAsync(NewEmail());

        using var response = await user.PostAsJsonAsync(Endpoint, new { auth_token = AuthToken, ct0 = Ct0 });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("cookie_user", body.RootElement.GetProperty("handle").GetString());
        Assert.Equal("cookie", body.RootElement.GetProperty("kind").GetString());
        Assert.Equal("active", body.RootElement.GetProperty("state").GetString());
        Assert.Equal($"/app/channels/{body.RootElement.GetProperty("id").GetString()}", response.Headers.Location!.OriginalString);

        var verify = Assert.Single(app.X.LogEntries).RequestMessage;
        Assert.Equal($"auth_token={AuthToken}; ct0={Ct0}", verify.Headers!["Cookie"].Single());
        Assert.Equal(Ct0, verify.Headers["x-csrf-token"].Single());
        Assert.StartsWith("Bearer AAAA", verify.Headers["Authorization"].Single());

        var stored = string.Join("\n", await app.Database.ReadColumnAsync(
            "SELECT session_auth_token_protected || session_ct0_protected FROM channels WHERE x_user_id = '5001'"));
        Assert.DoesNotContain(AuthToken, stored);
        Assert.DoesNotContain(Ct0, stored);
        var page = await user.GetDocumentAsync("/app/channels");
        Assert.Contains("Cookie session", page.QuerySelector("li.channel[data-handle='cookie_user'] .kind")!.TextContent);
        Assert.DoesNotContain(AuthToken, page.DocumentElement.OuterHtml);
    }

    [Fact]
    public async Task Form_MalformedCookies_ShowsErrorOnPage()
    {
        app.X.Reset();
        var user = await app.RegisterAsync(NewEmail());
        var page = await user.GetDocumentAsync("/app/channels");

        using var response = await user.SubmitAsync(page, "#connect-cookies", new Dictionary<string, string>
        {
            ["Cookies.AuthToken"] = "short",
            ["Cookies.Ct0"] = Ct0,
        });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("40 hexadecimal", shown.QuerySelector("#cookie-connect .flash-error")!.TextContent);
        Assert.DoesNotContain(Ct0, shown.DocumentElement.OuterHtml);
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task Api_Anonymous_Answers401()
    {
        using var response = await app.CreateBrowserClient(followRedirects: false).PostAsJsonAsync(Endpoint, new { auth_token = AuthToken, ct0 = Ct0 });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static string NewEmail() => $"cookie-{Guid.NewGuid():N}@sosyabot.test";
}
