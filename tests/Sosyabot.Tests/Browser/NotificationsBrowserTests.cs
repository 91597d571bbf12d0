using System.Text.Json;
using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

// The sandboxed app, with webhooks allowed to call a receiver on this machine and a 2-second wait before a retry.
public sealed class SandboxedAppWithWebhooks : SandboxedApp
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["WEBHOOKS_ALLOW_PRIVATE_ADDRESSES"] = "true",
        ["WEBHOOKS_RETRY_SECONDS"] = "2,2,2",
    };
}

// Issue 17: a post that fails at X raises an in-app notification and a signed webhook, which a receiver verifies,
// refuses once with a 500 and accepts on the retry. The publisher and the notifications loop run on the real clock.
[Collection(BrowserCollection.Name)]
public sealed class NotificationsBrowserTests(SandboxedAppWithWebhooks app, BrowserSession browser)
    : IClassFixture<SandboxedAppWithWebhooks>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task FailedPost_AtX_RaisesNotificationAndASignedWebhookRetriedAfterA500()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, "notify-owner@sosyabot.test", "notify-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Alice Sandbox");

        // A webhook for failed posts only, its secret copied from the page that shows it once.
        await page.GotoAsync("/app/settings/webhooks");
        await page.GetByLabel("Payload URL").FillAsync(receiver.Url);
        foreach (var other in new[] { "post.published", "post.held", "channel.needs_reconnect", "channel.access_ending" })
        {
            await page.Locator($"input[name='Input.Events'][value='{other}']").UncheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Add webhook" }).ClickAsync();
        var secret = await page.Locator("#webhook-secret").InputValueAsync();
        Assert.StartsWith("whsec_", secret);
        await BrowserSession.ScreenshotAsync(page, "70-webhooks-added");
        receiver.AnswerNext(500);

        // The same text twice on one account: X takes the first and refuses the second as duplicate content.
        var text = $"Said once, said twice {Guid.NewGuid():N}"[..40];
        await PublishNowAsync(page, text);
        await WaitForNotificationAsync(page, "Published on @sandbox_alice");
        await PublishNowAsync(page, text);
        var failed = await WaitForNotificationAsync(page, "Failed on @sandbox_alice");

        Assert.Contains("duplicate", await failed.Locator(".body").TextContentAsync());
        Assert.Equal("2", (await page.Locator("#unread-count").TextContentAsync())?.Trim());
        Assert.Equal(["Failed on @sandbox_alice", "Published on @sandbox_alice"], await page.Locator("li.notification .title").AllTextContentsAsync());
        await BrowserSession.ScreenshotAsync(page, "71-notifications");

        var requests = await receiver.WaitForAsync(2, TimeSpan.FromSeconds(90));
        Assert.Equal([500, 200], requests.Select(r => r.AnsweredWith));
        Assert.All(requests, r => Assert.True(r.IsSignedWith(secret), "the receiver could not verify the signature"));
        Assert.All(requests, r => Assert.Equal("post.failed", r.Event));
        Assert.Equal(requests[0].Delivery, requests[1].Delivery);
        Assert.Equal(requests[0].Body, requests[1].Body);
        using var payload = JsonDocument.Parse(requests[1].Body);
        Assert.Equal("sandbox_alice", payload.RootElement.GetProperty("data").GetProperty("channel_handle").GetString());
        Assert.Equal(text, payload.RootElement.GetProperty("data").GetProperty("text").GetString());
        Assert.Equal("failed", payload.RootElement.GetProperty("data").GetProperty("state").GetString());

        // The delivery log shows both attempts once the retry is recorded.
        await page.GotoAsync("/app/settings/webhooks");
        await page.Locator("li.webhook a.handle").ClickAsync();
        await page.ArrivedAtAsync("**/app/settings/webhooks/*");
        var delivery = page.Locator("li.webhook-delivery[data-type='post.failed']");
        for (var tries = 0; tries < 20 && await delivery.GetAttributeAsync("data-state") != "succeeded"; tries++)
        {
            await page.WaitForTimeoutAsync(250);
            await page.ReloadAsync();
        }
        Assert.Equal("succeeded", await delivery.GetAttributeAsync("data-state"));
        Assert.Equal(["500", "200"], await delivery.Locator("td.status").AllTextContentsAsync());
        await BrowserSession.ScreenshotAsync(page, "72-webhook-log");

        // Opening the notification's post, then marking everything read, empties the badge.
        await page.GotoAsync("/app/notifications");
        await page.GetByRole(AriaRole.Button, new() { Name = "Mark all as read" }).ClickAsync();
        Assert.Contains("2 notifications marked as read", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal(0, await page.Locator("#unread-count").CountAsync());
    }

    private static async Task PublishNowAsync(IPage page, string text)
    {
        await page.GotoAsync("/app/publishing");
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await page.GetByLabel("Publish now").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        Assert.Contains("Queued for @sandbox_alice", await page.Locator(".flash-success").TextContentAsync());
    }

    // Reloads the notifications page until one with this title is listed; the badge in the nav counts it.
    private static async Task<ILocator> WaitForNotificationAsync(IPage page, string title)
    {
        var until = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(60);
        await page.GotoAsync("/app/notifications");
        var item = page.Locator("li.notification", new() { Has = page.Locator(".title", new() { HasTextString = title }) });
        while (await item.CountAsync() == 0 && TimeProvider.System.GetUtcNow() < until)
        {
            await page.WaitForTimeoutAsync(250);
            await page.ReloadAsync();
        }
        Assert.Equal(1, await item.CountAsync());
        return item;
    }
}
