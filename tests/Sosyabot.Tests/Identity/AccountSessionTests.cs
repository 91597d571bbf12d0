using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// Sessions end for real: a copy of the cookie taken before logout, a password change or "sign out everywhere" opens nothing.
public sealed class AccountSessionTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    private const string Password = "a-long-enough-password";

    [Fact]
    public async Task Logout_CapturedCookieReplayed_RedirectsToLogin()
    {
        var email = NewEmail();
        var victim = await app.RegisterAsync(email);
        var thief = CopySession(app, victim);
        Assert.Equal("/app/channels", await LandingPathAsync(thief, "/app/channels"));

        var page = await victim.GetDocumentAsync("/app/channels");
        using var _ = await victim.SubmitAsync(page, "form[action='/account/logout'] button");

        Assert.Equal("/account/login", await LandingPathAsync(thief, "/app/channels"));
        Assert.Equal("/account/login", await LandingPathAsync(victim, "/app/channels"));
    }

    [Fact]
    public async Task ChangePassword_RightCurrentPassword_KeepsThisSessionAndEndsTheOthers()
    {
        var email = NewEmail();
        var here = await app.RegisterAsync(email);
        var elsewhere = await app.LogInAsync(email, Password);
        var copy = CopySession(app, here);

        var manage = await here.GetDocumentAsync("/account/manage");
        using var response = await here.SubmitAsync(manage, "#change-password-submit", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "a-brand-new-password",
            ["Input.ConfirmPassword"] = "a-brand-new-password",
        });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Equal("/account/manage", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Your password has been changed", shown.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal("/app/channels", await LandingPathAsync(here, "/app/channels"));
        Assert.Equal("/account/login", await LandingPathAsync(elsewhere, "/app/channels"));
        Assert.Equal("/account/login", await LandingPathAsync(copy, "/app/channels"));
        await app.LogInAsync(email, "a-brand-new-password");
        using var old = await app.CreateBrowserClient().SubmitLoginAsync("/account/login", email, Password);
        Assert.Contains("Email or password is incorrect.", (await HtmlForms.ParseAsync(old)).QuerySelector(".flash-error")!.TextContent);
    }

    [Fact]
    public async Task ChangePassword_WrongCurrentPassword_ShowsErrorAndKeepsPassword()
    {
        var email = NewEmail();
        var client = await app.RegisterAsync(email);
        var elsewhere = await app.LogInAsync(email, Password);

        var manage = await client.GetDocumentAsync("/account/manage");
        using var response = await client.SubmitAsync(manage, "#change-password-submit", new Dictionary<string, string>
        {
            ["Input.CurrentPassword"] = "not-my-password-at-all",
            ["Input.NewPassword"] = "a-brand-new-password",
            ["Input.ConfirmPassword"] = "a-brand-new-password",
        });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("The current password is not right.", shown.QuerySelector(".flash-error")!.TextContent);
        Assert.Equal("/app/channels", await LandingPathAsync(elsewhere, "/app/channels"));
        await app.LogInAsync(email, Password);
    }

    [Fact]
    public async Task SignOutEverywhere_TwoSessions_EndsBoth()
    {
        var email = NewEmail();
        var here = await app.RegisterAsync(email);
        var elsewhere = await app.LogInAsync(email, Password);

        var manage = await here.GetDocumentAsync("/account/manage");
        Assert.NotNull(manage.QuerySelector("form[data-confirm] #sign-out-everywhere"));
        using var response = await here.SubmitAsync(manage, "#sign-out-everywhere");

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Equal("/account/login", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("You were signed out everywhere", shown.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal("/account/login", await LandingPathAsync(here, "/app/channels"));
        Assert.Equal("/account/login", await LandingPathAsync(elsewhere, "/app/channels"));
        Assert.Contains(app.Logs.Lines, line => line.Contains("signed out everywhere", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Layout_SignedIn_LinksToAccountPage()
    {
        var email = NewEmail();
        var client = await app.RegisterAsync(email);

        var page = await client.GetDocumentAsync("/app/channels");

        var link = page.QuerySelector("#account-link")!;
        Assert.Equal("/account/manage", link.GetAttribute("href"));
        Assert.Equal(email, link.QuerySelector(".who")!.TextContent);
    }

    [Fact]
    public async Task ForgotPassword_NoSmtpConfigured_SaysToAskAnAdmin()
    {
        var client = app.CreateBrowserClient();

        var page = await client.GetDocumentAsync("/account/forgot-password");

        Assert.Contains("Ask an admin of this instance for a password reset link", page.QuerySelector("#ask-admin")!.TextContent);
        Assert.Null(page.QuerySelector("#send-reset"));
    }

    [Fact]
    public async Task AdminResetLink_IssuedAndFollowed_SetsPasswordOnce()
    {
        var email = NewEmail();
        var member = await app.RegisterAsync(email);
        var admin = await app.LogInAsAdminAsync();
        var userId = await UserIdAsync(email);

        var page = await admin.GetDocumentAsync($"/admin/users/{userId}/reset-link");
        Assert.Equal(email, page.QuerySelector("#reset-link-user")!.TextContent);
        using var created = await admin.SubmitAsync(page, "#create-reset-link");
        var link = ((AngleSharp.Html.Dom.IHtmlInputElement)(await HtmlForms.ParseAsync(created)).QuerySelector("#reset-link")!).Value;
        Assert.StartsWith(SosyabotAppFactory.BaseUrl + "/account/reset-password?email=", link, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(new Uri(link).Query, StringComparison.Ordinal));

        var person = app.CreateBrowserClient();
        var landing = await SetPasswordThroughLinkAsync(person, link, "chosen-after-reset");
        Assert.Contains("Your password has been reset", landing.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal("/account/login", await LandingPathAsync(member, "/app/channels"));
        await app.LogInAsync(email, "chosen-after-reset");

        var again = await person.GetDocumentAsync(LocalPart(link));
        Assert.Contains("not valid any more", again.QuerySelector("#invalid-link")!.TextContent);
        Assert.Null(again.QuerySelector("#reset-password"));
    }

    [Fact]
    public async Task AdminResetLink_NotAnAdmin_Forbidden()
    {
        var email = NewEmail();
        var member = await app.RegisterAsync(email);
        var userId = await UserIdAsync(email);

        using var response = await member.GetAsync($"/admin/users/{userId}/reset-link");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task AdminResetLink_UnknownUser_NotFound()
    {
        var admin = await app.LogInAsAdminAsync();

        using var response = await admin.GetAsync($"/admin/users/{Guid.NewGuid()}/reset-link");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ResetPassword_ForgedCode_SaysLinkIsInvalid()
    {
        var email = NewEmail();
        await app.RegisterAsync(email);
        var client = app.CreateBrowserClient();

        var page = await client.GetDocumentAsync($"/account/reset-password?email={Uri.EscapeDataString(email)}&code=Zm9yZ2VkLXRva2Vu");

        Assert.Contains("not valid any more", page.QuerySelector("#invalid-link")!.TextContent);
        Assert.Null(page.QuerySelector("#reset-password"));
    }

    internal static async Task<AngleSharp.Dom.IDocument> SetPasswordThroughLinkAsync(BrowserClient client, string link, string password)
    {
        var form = await client.GetDocumentAsync(LocalPart(link));
        Assert.NotNull(form.QuerySelector("#reset-password"));
        using var response = await client.SubmitAsync(form, "#reset-password", new Dictionary<string, string>
        {
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal("/account/login", response.RequestMessage!.RequestUri!.AbsolutePath);
        return await HtmlForms.ParseAsync(response);
    }

    // The path and query of an absolute link to BASE_URL, to follow it on the test server.
    internal static string LocalPart(string link) => new Uri(link).PathAndQuery;

    // Another browser holding copies of every cookie this one has: a stolen session.
    internal static BrowserClient CopySession(SosyabotAppFactory app, BrowserClient client)
    {
        var jar = new CookieContainer();
        jar.Add(client.Cookies.GetAllCookies());
        return new BrowserClient(() => app.Server.CreateHandler(), jar, followRedirects: true);
    }

    internal static async Task<string> LandingPathAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return response.RequestMessage!.RequestUri!.AbsolutePath;
    }

    private async Task<string> UserIdAsync(string email)
    {
        var ids = await app.Database.ReadColumnAsync($"SELECT \"Id\" FROM \"AspNetUsers\" WHERE \"NormalizedEmail\" = '{email.ToUpperInvariant()}'");
        return Assert.Single(ids);
    }

    private static string NewEmail() => $"session-{Guid.NewGuid():N}@sosyabot.test";
}
