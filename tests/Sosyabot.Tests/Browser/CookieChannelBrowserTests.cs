using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// A person connects an account with its browser cookies and publishes a thread with an image through it:
// the whole cookie path, in Chromium, against the XSandbox's copy of x.com's web client path.
public sealed class CookieChannelBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAASCAIAAAC1qksFAAAAH0lEQVR42mOQnf2Bpohh1IJRC0YtGLVg1IJRC+hhAQA0nrou8vRP6gAAAABJRU5ErkJggg==");

    [Fact]
    public async Task ConnectWithCookies_ThenPublishAThreadWithAnImage_AllOnTheSandboxInOrderWithAltText()
    {
        app.StartServer();
        var bob = SandboxState.Accounts[1];
        var sandbox = app.Sandbox.Services.GetRequiredService<SandboxState>();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, $"cookie-browser-{Guid.NewGuid():N}@sosyabot.test", "cookie-password-123");

        await page.Locator("#cookie-connect summary").ClickAsync();
        await page.GetByLabel("auth_token").FillAsync(bob.WebAuthToken);
        await page.GetByLabel("ct0").FillAsync(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect with cookies" }).ClickAsync();
        await page.Locator(".flash-success").WaitForAsync();
        await BrowserSession.ScreenshotAsync(page, "70-cookie-channel-connected");

        await page.GotoAsync("/app/publishing");
        var id = Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"Through cookies 1/2 {id}");
        await page.GetByRole(AriaRole.Button, new() { Name = "+ Add a part (thread)" }).ClickAsync();
        await page.GetByLabel("Part 2", new() { Exact = true }).FillAsync($"Through cookies 2/2 {id}");
        await page.Locator("#images").SetInputFilesAsync([new FilePayload { Name = "blue.png", MimeType = "image/png", Buffer = Png }]);
        await page.GetByLabel("Description of blue.png").FillAsync("A small blue rectangle");
        await page.GetByLabel("@sandbox_bob").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "71-cookie-channel-composer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();

        Assert.Contains("Queued for @sandbox_bob", await page.Locator(".flash-success").TextContentAsync());
        List<SandboxPost> posts = [];
        for (var i = 0; i < 80 && posts.Count < 2; i++)
        {
            posts = [.. sandbox.Posts
                .Where(p => p.Text.EndsWith(id, StringComparison.Ordinal))
                .OrderBy(p => long.Parse(p.Id, System.Globalization.CultureInfo.InvariantCulture))];
            await page.WaitForTimeoutAsync(250);
        }
        Assert.Equal([$"Through cookies 1/2 {id}", $"Through cookies 2/2 {id}"], posts.Select(p => p.Text));
        Assert.All(posts, p => Assert.Equal(bob.Id, p.Account.Id));
        Assert.Equal(posts[0].Id, posts[1].InReplyToId);
        Assert.Equal("A small blue rectangle", sandbox.Media[Assert.Single(posts[0].MediaIds)].AltText);

        await page.GotoAsync("/app/publishing");
        await page.GetByText($"Through cookies 1/2 {id}").First.WaitForAsync();
        await BrowserSession.ScreenshotAsync(page, "72-cookie-channel-published");
        await page.GotoAsync(app.SandboxAddress + "/");
        await BrowserSession.ScreenshotAsync(page, "73-cookie-channel-sandbox-timeline");
    }
}
