using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// The composer on /app/publishing in Chromium, publishing to the XSandbox.
[Collection(BrowserCollection.Name)]
public sealed class ComposerBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    // A 32×18 blue PNG: a real image, so that the upload to X goes through.
    private static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAACAAAAASCAIAAAC1qksFAAAAH0lEQVR42mOQnf2Bpohh1IJRC0YtGLVg1IJRC+hhAQA0nrou8vRP6gAAAABJRU5ErkJggg==");

    private SandboxState Sandbox => app.Sandbox.Services.GetRequiredService<SandboxState>();

    [Fact]
    public async Task ThreadParts_RemovedAndReordered_SandboxReceivesThemInTheNewOrder()
    {
        var page = await ComposerWithChannelAsync("reorder");
        var id = Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"First {id}");
        foreach (var (label, text) in new[] { ("Part 2", "Second"), ("Part 3", "Third"), ("Part 4", "Fourth") })
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "+ Add a part (thread)" }).ClickAsync();
            await page.GetByLabel(label, new() { Exact = true }).FillAsync($"{text} {id}");
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove part 2" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Move part 3 up" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        Assert.Equal("Move part 2 up", await page.EvaluateAsync<string>("() => document.activeElement.getAttribute('aria-label')"));
        Assert.Equal("Part 3 is now part 2.", await page.Locator("#parts-status").TextContentAsync());
        Assert.Equal(
            [$"Post|Compose.Parts[0]|First {id}", $"Part 2|Compose.Parts[1]|Fourth {id}", $"Part 3|Compose.Parts[2]|Third {id}"],
            await page.EvaluateAsync<string[]>(
                "() => [...document.querySelectorAll('#parts .part')]" +
                ".map(p => [p.querySelector('label').textContent, p.querySelector('textarea').name, p.querySelector('textarea').value].join('|'))"));
        Assert.Equal(3, await page.Locator("#x-thread .x-post").CountAsync());
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "40-composer-thread-reordered");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();

        Assert.Contains("Queued for @sandbox_alice", await page.Locator(".flash-success").TextContentAsync());
        var posts = await SandboxPostsAsync(page, id, 3);
        Assert.Equal([$"First {id}", $"Fourth {id}", $"Third {id}"], posts.Select(p => p.Text));
        Assert.Equal(posts[0].Id, posts[1].InReplyToId);
        Assert.Equal(posts[1].Id, posts[2].InReplyToId);
    }

    [Fact]
    public async Task PartOverTheLimit_Typed_PublishDisabledOverflowMarkedAndDraftStillSaves()
    {
        var page = await ComposerWithChannelAsync("limit");
        var part = page.GetByLabel("Post", new() { Exact = true });
        await part.FillAsync(new string('a', 275) + "abcdefghij");

        Assert.True(await page.Locator("#publish").IsDisabledAsync());
        Assert.True(await page.Locator("#save-draft").IsEnabledAsync());
        Assert.Equal("fghij", await page.Locator("#parts .overflow mark").TextContentAsync());
        Assert.Contains("Post is over X's 280-character limit", await page.Locator("#publish-blocked").TextContentAsync());
        Assert.Equal("285", await page.Locator("#parts .count").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "41-composer-over-limit");

        for (var i = 0; i < 5; i++)
        {
            await part.PressAsync("Backspace");
        }
        Assert.True(await page.Locator("#publish").IsEnabledAsync());
        Assert.True(await page.Locator("#parts .overflow").IsHiddenAsync());
        Assert.Equal("", await page.Locator("#publish-blocked").TextContentAsync());

        await part.FillAsync($"Draft {Guid.NewGuid():N} " + new string('a', 290));
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();
        await page.ArrivedAtAsync("**/app/publishing?view=drafts");
        Assert.Contains("Draft saved", await page.Locator(".flash-success").TextContentAsync());
    }

    [Fact]
    public async Task ImagesInput_TwoFilesChosenThenFive_OneDescriptionPerFileAndTheExtraFileLeftOut()
    {
        var page = await ComposerWithChannelAsync("images");
        Assert.Equal(0, await page.Locator("#alt-texts input").CountAsync());

        await page.Locator("#images").SetInputFilesAsync([Image("one.png"), Image("two.png")]);

        Assert.Equal(["Compose.AltTexts[0]", "Compose.AltTexts[1]"],
            await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('#alt-texts input')].map(i => i.name)"));
        await page.GetByLabel("Description of two.png").FillAsync("The second picture");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#alt-texts img, #x-thread img')].every(i => i.naturalWidth === 32)");
        Assert.Equal(2, await page.Locator("#x-thread .x-media img").CountAsync());
        Assert.Equal("The second picture", await page.Locator("#x-thread .x-media img").Nth(1).GetAttributeAsync("alt"));
        await BrowserSession.ScreenshotAsync(page, "42-composer-two-images");

        await page.Locator("#images").SetInputFilesAsync(new[] { "one", "two", "three", "four", "five" }.Select(n => Image(n + ".png")));

        Assert.Equal(4, await page.Locator("#alt-texts input").CountAsync());
        Assert.Equal(4, await page.EvaluateAsync<int>("() => document.getElementById('images').files.length"));
        Assert.Equal("Only 4 images fit; left out: five.png.", await page.Locator("#images-message").TextContentAsync());
        Assert.Equal("The second picture", await page.GetByLabel("Description of two.png").InputValueAsync());
    }

    [Fact]
    public async Task Publish_NoChannelChosen_ProblemShownOnceAndTextAndImagesKeptForTheNextTry()
    {
        var page = await ComposerWithChannelAsync("kept");
        var text = $"Kept after a problem {Guid.NewGuid():N}\nhttps://example.com/a/rather/long/path/to/a/page";
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
        await page.Locator("#images").SetInputFilesAsync([Image("first.png"), Image("second.png")]);
        await page.GetByLabel("Description of first.png").FillAsync("First description");
        await page.GetByLabel("Description of second.png").FillAsync("Second description");

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await page.Locator("#composer-problems.validation-summary-errors").WaitForAsync();

        Assert.Equal(["Choose at least one channel."], await page.Locator("#composer-problems li").AllTextContentsAsync());
        Assert.Equal("composer-problems", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        Assert.Equal(text, await page.GetByLabel("Post", new() { Exact = true }).InputValueAsync());
        Assert.Equal(2, await page.EvaluateAsync<int>("() => document.getElementById('images').files.length"));
        Assert.Equal("Second description", await page.GetByLabel("Description of second.png").InputValueAsync());
        Assert.Equal("example.com/a/rather/long…", await page.Locator("#x-thread .x-text a").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "43-composer-problem-kept-images");

        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();

        Assert.Contains("Queued for @sandbox_alice", await page.Locator(".flash-success").TextContentAsync());
        var post = Assert.Single(await SandboxPostsAsync(page, text[..40], 1));
        Assert.Equal(["First description", "Second description"], post.MediaIds.Select(m => Sandbox.Media[m].AltText));
    }

    [Fact]
    public async Task WhenChoice_ScheduleAndNow_DateFieldsOnlyWhenSchedulingAndAccessWarningPastTheChannelsAccess()
    {
        var page = await ComposerWithChannelAsync("schedule");
        var dateFields = page.Locator(".schedule");
        Assert.True(await dateFields.IsHiddenAsync());
        Assert.False(string.IsNullOrEmpty(await page.GetByLabel("Time zone").InputValueAsync()));

        await page.GetByLabel("Schedule").CheckAsync();
        Assert.True(await dateFields.IsVisibleAsync());
        await page.GetByLabel("Publish now").CheckAsync();
        Assert.True(await dateFields.IsHiddenAsync());

        // Alice's sandbox token lasts two hours and long-lived connections are off: a post due tomorrow outlives it.
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"Tomorrow {Guid.NewGuid():N}");
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await page.GetByLabel("Schedule").CheckAsync();
        await page.GetByLabel("Date and time")
            .FillAsync(TimeProvider.System.GetLocalNow().AddDays(1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        var warning = page.Locator("#access-warning");
        Assert.True(await warning.IsVisibleAsync());
        Assert.Contains("@sandbox_alice's access to X ends at", await warning.TextContentAsync());
        Assert.Contains("it will be held, not lost, until the channel is reconnected", await warning.TextContentAsync());
        Assert.Contains("long-lived connections", await warning.TextContentAsync());
        Assert.Equal(1, await warning.GetByRole(AriaRole.Link, new() { Name = "Reconnect @sandbox_alice" }).CountAsync());
        await BrowserSession.ScreenshotAsync(page, "44-composer-schedule-access-warning");

        await page.GetByLabel("Date and time")
            .FillAsync(TimeProvider.System.GetLocalNow().AddMinutes(30).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        Assert.True(await warning.IsHiddenAsync());

        // A plain form post (no JavaScript in the way) that comes back with a problem and Schedule chosen.
        await page.GetByLabel("Date and time").FillAsync("");
        await page.EvaluateAsync("() => HTMLFormElement.prototype.submit.call(document.getElementById('composer'))");
        await page.Locator("#composer-problems li").First.WaitForAsync();
        Assert.Contains("Choose the date and time to publish at.", await page.Locator("#composer-problems").TextContentAsync());
        Assert.True(await page.GetByLabel("Schedule").IsCheckedAsync());
        Assert.True(await dateFields.IsVisibleAsync());
    }

    [Fact]
    public async Task Composer_OnPhoneWidth_DoesNotScrollSideways()
    {
        var page = await ComposerWithChannelAsync("phone", width: 390);
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync("On a phone: https://example.com/a/rather/long/path " + new string('x', 280));
        await page.GetByRole(AriaRole.Button, new() { Name = "+ Add a part (thread)" }).ClickAsync();
        await page.Locator("#images").SetInputFilesAsync([Image("a-file-with-a-rather-long-name-for-a-phone.png")]);
        await page.GetByLabel("Schedule").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "45-composer-phone");

        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"));
    }

    private static FilePayload Image(string name) => new() { Name = name, MimeType = "image/png", Buffer = Png };

    // A user with @sandbox_alice connected, on the publishing page.
    private async Task<IPage> ComposerWithChannelAsync(string user, int width = 1280)
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();

        var page = await browser.NewPageAsync(app.Address, width);
        await SandboxSteps.RegisterAsync(page, $"composer-{user}@sosyabot.test", "composer-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Alice Sandbox");
        await page.GotoAsync("/app/publishing");
        return page;
    }

    // The sandbox's posts containing marker, oldest first, once there are count.
    private async Task<List<SandboxPost>> SandboxPostsAsync(IPage page, string marker, int count)
    {
        for (var i = 0; i < 80; i++)
        {
            var posts = Sandbox.Posts.Where(p => p.Text.Contains(marker, StringComparison.Ordinal))
                .OrderBy(p => long.Parse(p.Id, CultureInfo.InvariantCulture)).ToList();
            if (posts.Count >= count)
            {
                return posts;
            }
            await page.WaitForTimeoutAsync(250);
        }
        throw new TimeoutException($"The sandbox did not receive {count} posts containing '{marker}'.");
    }
}
