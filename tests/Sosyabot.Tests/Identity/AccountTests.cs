using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

public sealed class AccountTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task Boot_AdminEmailAndPasswordSet_CreatesInstanceAdmin()
    {
        var admin = await app.LogInAsAdminAsync();

        using var response = await admin.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Register_AfterAdminExists_IsNotAdmin()
    {
        var member = await app.RegisterAsync($"late-{Guid.NewGuid():N}@sosyabot.test");

        using var response = await member.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Login_WrongPassword_ShowsErrorAndStaysSignedOut()
    {
        var client = app.CreateBrowserClient();

        using var response = await client.SubmitLoginAsync("/account/login", SosyabotAppFactory.AdminEmail, "not-the-password");

        var page = await HtmlForms.ParseAsync(response);
        Assert.Contains("Email or password is incorrect.", page.QuerySelector(".flash-error")!.TextContent);
        Assert.Null(page.QuerySelector("form[action='/account/logout']"));
    }

    [Fact]
    public async Task Logout_SignedIn_EndsTheSession()
    {
        var admin = await app.LogInAsAdminAsync();
        var home = await admin.GetDocumentAsync("/app/channels");

        using var _ = await admin.SubmitAsync(home, "form[action='/account/logout'] button");

        using var after = await admin.GetAsync("/admin");
        Assert.EndsWith("/account/login", after.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Login_ReturnUrlOffSite_StaysOnThisSite()
    {
        var client = app.CreateBrowserClient();

        using var response = await client.SubmitLoginAsync(
            "/account/login?ReturnUrl=https%3A%2F%2Fevil.example%2F", SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);

        Assert.Equal("localhost", response.RequestMessage!.RequestUri!.Host);
        Assert.Equal("/app/channels", response.RequestMessage.RequestUri.AbsolutePath);
    }
}
