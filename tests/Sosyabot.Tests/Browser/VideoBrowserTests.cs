using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sosyabot.Tests.Publishing;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// A person attaches an MP4 in the composer: the cookie channel is greyed out with its reason, and the post goes
// to the OAuth channel only after the XSandbox has processed the video (which refuses a post carrying a video
// still in processing, as X does).
[Collection(BrowserCollection.Name)]
public sealed class VideoBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task VideoUpload_WaitsForProcessingBeforePosting()
    {
        app.StartServer();
        var sandbox = app.Sandbox.Services.GetRequiredService<SandboxState>();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, $"video-{Guid.NewGuid():N}@sosyabot.test", "video-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Alice Sandbox");
        await page.Locator("#cookie-connect summary").ClickAsync();
        await page.GetByLabel("auth_token").FillAsync(SandboxState.Accounts[1].WebAuthToken);
        await page.GetByLabel("ct0").FillAsync(Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect with cookies" }).ClickAsync();
        await page.Locator(".flash-success").WaitForAsync();

        await page.GotoAsync("/app/publishing");
        var id = Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"Launch clip {id}");
        await page.GetByLabel("@sandbox_bob").CheckAsync();
        await page.Locator("#images").SetInputFilesAsync(
            [new FilePayload { Name = "launch.mp4", MimeType = "video/mp4", Buffer = TestImages.Mp4((1024 * 1024) + 4096) }]);

        Assert.True(await page.GetByLabel("@sandbox_bob").IsDisabledAsync());
        Assert.False(await page.GetByLabel("@sandbox_bob").IsCheckedAsync());
        Assert.Contains("A video cannot go to @sandbox_bob (no video through the cookie path).", await page.Locator("#video-channels").TextContentAsync());
        await page.GetByLabel("Description of launch.mp4").FillAsync("The rocket lifting off");
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "80-video-composer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();

        Assert.Contains("Queued for @sandbox_alice", await page.Locator(".flash-success").TextContentAsync());
        SandboxPost? post = null;
        for (var i = 0; i < 120 && post is null; i++)
        {
            post = sandbox.Posts.FirstOrDefault(p => p.Text == $"Launch clip {id}");
            await page.WaitForTimeoutAsync(250);
        }
        Assert.NotNull(post);
        var media = sandbox.Media[Assert.Single(post.MediaIds)];
        Assert.Equal("tweet_video", media.Category);
        Assert.Equal("succeeded", media.ProcessingState);
        Assert.True(media.StatusPolls >= sandbox.MediaProcessingPolls, $"{media.StatusPolls} STATUS polls");
        Assert.Equal(2, media.Segments.Count);
        Assert.Equal("The rocket lifting off", media.AltText);
        Assert.Equal(0, sandbox.MediaNotReadyRefusals);
        Assert.Equal(SandboxState.Accounts[0].Id, post.Account.Id);

        await page.GotoAsync("/app/publishing");
        await page.GetByText($"Launch clip {id}").First.WaitForAsync();
        await BrowserSession.ScreenshotAsync(page, "81-video-published");
    }
}
