using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

[Collection(BrowserCollection.Name)]
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
        await BrowserSession.SubmitLoginAsync(page, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);

        await page.ArrivedAtAsync("**/admin/api-integration/x-twitter");
        var result = await BrowserSession.SaveAndTestXCredentialsAsync(page, "BrowserClient-0123456789", "browser-secret-abcdef");
        await BrowserSession.ScreenshotAsync(page, "02-admin-x-twitter");

        Assert.Contains("Client ID: Browse…", result);
        Assert.Contains($"{app.Address}/api/v1/auth/twitter/callback", result);
        Assert.DoesNotContain("browser-secret-abcdef", await page.ContentAsync());
    }

    [Theory]
    [InlineData("/admin/api-integration/x-twitter", "03-admin-x-twitter-phone")]
    [InlineData("/app/channels", "17-channels-phone")]
    [InlineData("/app/publishing", "18-publishing-phone")]
    [InlineData("/app/settings/api-tokens", "19-api-tokens-phone")]
    [InlineData("/app/settings/members", "20-members-phone")]
    public async Task MainPages_OnPhoneWidth_DoNotScrollSideways(string path, string screenshot)
    {
        app.StartServer();
        var page = await browser.NewPageAsync(app.Address, width: 390, height: 844);
        await page.GotoAsync("/account/login");
        await BrowserSession.SubmitLoginAsync(page, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);
        await page.ArrivedAtAsync(app.Address + "/app/channels");

        await page.GotoAsync(path);
        await BrowserSession.ScreenshotAsync(page, screenshot);

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        // What sticks out, so that a failure names the element to fix.
        var wide = await page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
                .slice(0, 8)
                .map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}${e.className ? '.' + String(e.className).replace(/ /g, '.') : ''}`)
            """);
        Assert.False(overflow, $"{path} scrolls sideways on a 390 px wide phone; too wide: {string.Join(", ", wide)}");
    }
}
