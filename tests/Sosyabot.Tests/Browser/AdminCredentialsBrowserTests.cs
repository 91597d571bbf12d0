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

        await page.WaitForURLAsync("**/admin/api-integration/x-twitter");
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
        await page.WaitForURLAsync(app.Address + "/app/channels");

        await page.GotoAsync(path);
        await BrowserSession.ScreenshotAsync(page, screenshot);

        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, $"{path} scrolls sideways on a 390 px wide phone.");
    }
}
