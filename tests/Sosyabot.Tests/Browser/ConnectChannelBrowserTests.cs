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
        await LogInAsync(admin, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);
        await admin.GotoAsync("/admin/api-integration/x-twitter");
        await admin.GetByLabel("Client ID").FillAsync("sandbox-client-id");
        await admin.GetByLabel("Client Secret").FillAsync("sandbox-client-secret");
        await admin.GetByLabel("Enable").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Test credentials" }).ClickAsync();
        Assert.Contains("Client ID: sandbo…", await admin.Locator("#test-result").TextContentAsync());

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

    private static async Task LogInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync("**/app/channels");
    }
}
