using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Identity;

namespace Sosyabot.Tests.Identity;

// Stands in for Workspaces' invitations: one invitation, for one email.
public sealed class AppWithOneInvitation : SosyabotAppFactory
{
    public const string Token = "invitation-for-guest";
    public const string InvitedEmail = "guest@sosyabot.test";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddSingleton<IRegistrationInvitations, OneInvitation>());
    }

    private sealed class OneInvitation : IRegistrationInvitations
    {
        public Task<bool> InvitesAsync(string invitationToken, string email, CancellationToken cancellationToken) =>
            Task.FromResult(invitationToken == Token && string.Equals(email, InvitedEmail, StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class RegistrationModeTests(AppWithOneInvitation app) : IClassFixture<AppWithOneInvitation>
{
    [Fact]
    public async Task Register_Closed_PageSaysSoAndAPostIsRefused()
    {
        await app.SetRegistrationModeAsync("closed");
        var visitor = app.CreateBrowserClient();

        var page = await visitor.GetDocumentAsync("/account/register");
        Assert.Null(page.QuerySelector("#register"));
        Assert.Equal(RegisterModel.ClosedMessage, page.QuerySelector("#registration-mode")!.TextContent.Trim());
        var email = $"closed-{Guid.NewGuid():N}@sosyabot.test";
        using var posted = await PostRegistrationAsync(visitor, page, "/account/register", email);

        Assert.Contains(RegisterModel.ClosedMessage, (await HtmlForms.ParseAsync(posted)).QuerySelector(".flash-error")!.TextContent);
        await AssertNoAccountAsync(email);
    }

    [Fact]
    public async Task Register_InviteOnlyWithoutInvitation_PageSaysSoAndAPostIsRefused()
    {
        await app.SetRegistrationModeAsync("invite-only");
        var visitor = app.CreateBrowserClient();

        var page = await visitor.GetDocumentAsync("/account/register");
        Assert.Null(page.QuerySelector("#register"));
        Assert.Equal(RegisterModel.InviteOnlyMessage, page.QuerySelector("#registration-mode")!.TextContent.Trim());
        var email = $"uninvited-{Guid.NewGuid():N}@sosyabot.test";
        using var posted = await PostRegistrationAsync(visitor, page, "/account/register", email);

        Assert.Contains(RegisterModel.InviteOnlyMessage, (await HtmlForms.ParseAsync(posted)).QuerySelector(".flash-error")!.TextContent);
        await AssertNoAccountAsync(email);
    }

    [Fact]
    public async Task Register_InviteOnlyWithAnInvitationForAnotherEmail_IsRefused()
    {
        await app.SetRegistrationModeAsync("invite-only");
        var email = $"impostor-{Guid.NewGuid():N}@sosyabot.test";

        using var posted = await app.CreateBrowserClient().SubmitRegistrationAsync($"/account/register?invite={AppWithOneInvitation.Token}", email);

        Assert.Contains(RegisterModel.NotInvitedMessage, (await HtmlForms.ParseAsync(posted)).QuerySelector(".flash-error")!.TextContent);
        await AssertNoAccountAsync(email);
    }

    [Fact]
    public async Task Register_InviteOnlyWithTheInvitation_CreatesTheAccountAndGoesToReturnUrl()
    {
        await app.SetRegistrationModeAsync("invite-only");
        var guest = app.CreateBrowserClient();

        using var registered = await guest.SubmitRegistrationAsync(
            $"/account/register?invite={AppWithOneInvitation.Token}&returnUrl=%2Fapp%2Fpublishing", AppWithOneInvitation.InvitedEmail);

        Assert.Equal("/app/publishing", registered.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Register_Open_AnyoneRegisters()
    {
        await app.SetRegistrationModeAsync("open");

        await app.RegisterAsync($"open-{Guid.NewGuid():N}@sosyabot.test");
    }

    [Fact]
    public async Task RegistrationPage_AdminChangesMode_ShowsItSelected()
    {
        await app.SetRegistrationModeAsync("closed");
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync("/admin/registration");

        Assert.True(((AngleSharp.Html.Dom.IHtmlInputElement)page.QuerySelector("#mode-closed")!).IsChecked);
        Assert.Contains(SosyabotAppFactory.AdminEmail, page.QuerySelector("#registration-updated")!.TextContent);
        await app.SetRegistrationModeAsync("open");
    }

    // Through the admin page, as an admin would.
    // The form is not on the page in these modes; a script posts it anyway, with a valid antiforgery token (the login page's).
    private static async Task<HttpResponseMessage> PostRegistrationAsync(HttpClient client, AngleSharp.Dom.IDocument page, string url, string email)
    {
        Assert.Null(page.QuerySelector("input[name=__RequestVerificationToken]"));
        var login = await client.GetDocumentAsync("/account/login");
        var antiforgery = login.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return await client.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = antiforgery,
            ["Input.Email"] = email,
            ["Input.Password"] = "a-long-enough-password",
            ["Input.ConfirmPassword"] = "a-long-enough-password",
        }));
    }

    private async Task AssertNoAccountAsync(string email)
    {
        await using var db = app.Database.CreateDbContext();
        Assert.False(db.Users.Any(u => u.Email == email));
    }
}
