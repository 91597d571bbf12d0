using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

public sealed class ConnectChannelBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task User_ConnectsXThroughSandboxConsent_LandsOnChannelsWithAccountActive()
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await admin.GotoAsync("/admin/api-integration/x-twitter");
        await BrowserSession.SubmitLoginAsync(admin, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);
        await admin.WaitForURLAsync("**/admin/api-integration/x-twitter");
        Assert.Contains("Client ID: sandbo…", await BrowserSession.SaveAndTestXCredentialsAsync(admin, "sandbox-client-id", "sandbox-client-secret"));

        var user = await browser.NewPageAsync(app.Address);
        await user.GotoAsync("/account/register");
        await user.GetByLabel("Email").FillAsync("member@sosyabot.test");
        await user.GetByLabel("Password", new() { Exact = true }).FillAsync("member-password-123");
        await user.GetByLabel("Confirm password").FillAsync("member-password-123");
        await user.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await user.WaitForURLAsync("**/app/channels");
        await BrowserSession.ScreenshotAsync(user, "04-channels-empty");

        await user.GetByRole(AriaRole.Button, new() { Name = "Connect → X (Twitter)" }).ClickAsync();
        await user.WaitForURLAsync(app.SandboxAddress + "/i/oauth2/authorize**");
        await user.GetByLabel("Bob Sandbox").CheckAsync();
        await BrowserSession.ScreenshotAsync(user, "05-sandbox-consent");
        await user.GetByRole(AriaRole.Button, new() { Name = "Authorize app" }).ClickAsync();

        await user.WaitForURLAsync(app.Address + "/app/channels");
        var channel = user.Locator("li.channel[data-handle='sandbox_bob']");
        Assert.Equal("active", await channel.Locator("[data-state]").GetAttributeAsync("data-state"));
        Assert.Contains("@sandbox_bob is connected.", await user.Locator(".flash-success").TextContentAsync());
        await BrowserSession.ScreenshotAsync(user, "06-channels-connected");
    }
}
