using System.Globalization;
using Microsoft.Playwright;

namespace Sosyabot.Tests.Browser;

// The posting queue in Chromium: times set on /app/queue, posts added from the composer.
[Collection(BrowserCollection.Name)]
public sealed class QueueBrowserTests(SandboxedApp app, BrowserSession browser) : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task AddToQueue_TwoPostsInTheComposer_FillTheNextTwoSlotsInOrder()
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, "queue-browser@sosyabot.test", "queue-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Alice Sandbox");

        // Two times a day, hours away from now in the browser's zone (the machine's, which a new schedule takes), so
        // that neither passes while the test runs.
        await page.GetByRole(AriaRole.Link, new() { Name = "Queue", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/app/queue");
        Assert.Contains("No default times yet", await page.Locator("#no-default-times").TextContentAsync());
        var now = TimeProvider.System.GetLocalNow();
        foreach (var hours in new[] { 2, 5 })
        {
            var time = now.AddHours(hours).ToString("HH:00", CultureInfo.InvariantCulture);
            await page.GetByLabel("Time", new() { Exact = true }).FillAsync(time);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add time" }).ClickAsync();
            Assert.Equal($"Added {time} on every day.", await page.Locator(".flash-success").TextContentAsync());
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        foreach (var text in new[] { $"First in the queue {id}", $"Second in the queue {id}" })
        {
            await page.GotoAsync("/app/publishing");
            await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
            await page.GetByLabel("@sandbox_alice").CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Add to queue" }).ClickAsync();
            Assert.StartsWith("Added to the queue for @sandbox_alice at ", await page.Locator(".flash-success").TextContentAsync());
        }

        await page.GetByRole(AriaRole.Link, new() { Name = "Queue", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/app/queue");
        var slots = page.Locator(".queue-channel[data-handle='sandbox_alice'] .slot");
        Assert.Equal([$"First in the queue {id}", $"Second in the queue {id}"], await slots.Locator(".slot-post").AllTextContentsAsync());
        Assert.Equal(["filled", "filled", "free"], (await slots.EvaluateAllAsync<string[]>("s => s.map(e => e.classList[1])")).Take(3));
        var times = (await slots.EvaluateAllAsync<string[]>("s => s.map(e => e.dataset.at)"))
            .Select(t => DateTimeOffset.Parse(t, CultureInfo.InvariantCulture)).ToList();
        Assert.True(times.SequenceEqual(times.Order()) && times[0] > DateTimeOffset.UtcNow.AddHours(1), string.Join(", ", times));
        await BrowserSession.ScreenshotAsync(page, "70-queue");

        await slots.Locator(".slot-post").First.ClickAsync();
        await page.ArrivedAtAsync("**/app/publishing/posts/*");
        Assert.Contains($"First in the queue {id}", await page.Locator("main").TextContentAsync());
    }
}
