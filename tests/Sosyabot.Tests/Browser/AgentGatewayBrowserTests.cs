using Microsoft.Playwright;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class AgentGatewayBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task User_ConnectsWithApiKeysAndCreatesAToken_SeesItOnceThenOnlyItsHint()
    {
        app.StartServer();
        var carol = SandboxState.Accounts[2];
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, "keys@sosyabot.test", "keys-password-123");

        await page.Locator("#api-keys-connect summary").ClickAsync();
        await page.GetByLabel("API key", new() { Exact = true }).FillAsync(SandboxAuth.ConsumerKey);
        await page.GetByLabel("API key secret").FillAsync(SandboxAuth.ConsumerSecret);
        await page.GetByLabel("Bearer token").FillAsync(SandboxAuth.AppBearerToken);
        await page.GetByLabel("Access token", new() { Exact = true }).FillAsync(carol.AccessToken);
        await page.GetByLabel("Access token secret").FillAsync(carol.AccessTokenSecret);
        await BrowserSession.ScreenshotAsync(page, "08-connect-api-keys");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect with API keys" }).ClickAsync();

        Assert.Contains("@sandbox_carol is connected with your app's keys.", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal("API keys", await page.Locator("li.channel[data-handle='sandbox_carol'] [data-kind]").TextContentAsync());

        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "API tokens" }).ClickAsync();
        await page.GetByLabel("Name").FillAsync("support-agent");
        await page.Locator("input[name='Input.Scopes'][value='write']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var secret = await page.Locator("#token-secret").InputValueAsync();
        Assert.StartsWith("sbt_", secret);
        await BrowserSession.ScreenshotAsync(page, "09-api-token-created");

        await page.ReloadAsync();
        Assert.Equal(0, await page.Locator("#token-secret").CountAsync());
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.Contains("scopes: read, write", await page.Locator("li.api-token[data-name='support-agent']").TextContentAsync());
    }
}
