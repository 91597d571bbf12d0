using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ConnectChannelBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task User_ConnectsXThroughSandboxConsent_LandsOnChannelsWithAccountActive()
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        Assert.Contains("Client ID: sandbo…", await SandboxSteps.ConfigureSandboxClientAsync(admin));

        var user = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(user, "member@sosyabot.test", "member-password-123");
        await BrowserSession.ScreenshotAsync(user, "04-channels-empty");

        await SandboxSteps.ConnectSandboxAccountAsync(user, app, "Bob Sandbox", screenshot: "05-sandbox-consent");

        var channel = user.Locator("li.channel[data-handle='sandbox_bob']");
        Assert.Equal("active", await channel.Locator("[data-state]").GetAttributeAsync("data-state"));
        Assert.Contains("@sandbox_bob is connected.", await user.Locator(".flash-success").TextContentAsync());
        await BrowserSession.ScreenshotAsync(user, "06-channels-connected");
    }
}
