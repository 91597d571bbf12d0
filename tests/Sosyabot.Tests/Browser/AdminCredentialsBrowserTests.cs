using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

public sealed class AdminCredentialsBrowserTests(KestrelAppFactory app, BrowserSession browser)
    : IClassFixture<KestrelAppFactory>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Admin_SavesCredentialsAndTestsThem_SeesClientIdPrefixAndCallbackUrl()
    {
        app.StartServer();
        var page = await browser.NewPageAsync(app.Address);

        await page.GotoAsync("/admin/api-integration/x-twitter");
        Assert.EndsWith("/account/login", new Uri(page.Url).AbsolutePath);
        await BrowserSession.ScreenshotAsync(page, "01-login");
        await page.GetByLabel("Email").FillAsync(SosyabotAppFactory.AdminEmail);
        await page.GetByLabel("Password").FillAsync(SosyabotAppFactory.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();

        await page.WaitForURLAsync("**/admin/api-integration/x-twitter");
        await page.GetByLabel("Client ID").FillAsync("BrowserClient-0123456789");
        await page.GetByLabel("Client Secret").FillAsync("browser-secret-abcdef");
        await page.GetByLabel("Enable").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        var saved = await page.Locator(".flash-success").TextContentAsync();
        Assert.Contains("settings saved", saved);

        await page.GetByRole(AriaRole.Button, new() { Name = "Test credentials" }).ClickAsync();
        var result = await page.Locator("#test-result").TextContentAsync();
        await BrowserSession.ScreenshotAsync(page, "02-admin-x-twitter");

        Assert.Contains("Client ID: Browse…", result);
        Assert.Contains($"{app.Address}/api/v1/auth/twitter/callback", result);
        Assert.DoesNotContain("browser-secret-abcdef", await page.ContentAsync());
    }

    [Fact]
    public async Task AdminPage_OnPhoneWidth_StaysReadable()
    {
        app.StartServer();
        var page = await browser.NewPageAsync(app.Address, width: 390, height: 844);
        await page.GotoAsync("/account/login");
        await page.GetByLabel("Email").FillAsync(SosyabotAppFactory.AdminEmail);
        await page.GetByLabel("Password").FillAsync(SosyabotAppFactory.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync(app.Address + "/app/channels");

        await page.GotoAsync("/admin/api-integration/x-twitter");
        await BrowserSession.ScreenshotAsync(page, "03-admin-x-twitter-phone");

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The page scrolls sideways on a 390 px wide phone.");
    }
}
