using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

// The seed's "Verification — end-to-end smoke test", step for step, in Chromium against the XSandbox.
// Its screenshots (artifacts/screenshots/) are the ones the README shows.
[Collection(BrowserCollection.Name)]
public sealed class SeedSmokeTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task SmokeTest_AdminConfiguresUserConnectsAndPublishes_PostIsOnTheSandboxTimeline()
    {
        app.StartServer();

        // 1. The admin saves the X credentials and tests them.
        var admin = await browser.NewPageAsync(app.Address);
        var tested = await SandboxSteps.ConfigureSandboxClientAsync(admin);
        Assert.Contains("Client ID: sandbo…", tested);
        Assert.Contains($"{app.Address}/api/v1/auth/twitter/callback", tested);
        await BrowserSession.ScreenshotAsync(admin, "10-smoke-admin-tested");

        // 2. A user opens /app/channels, presses Connect → X, approves on the consent page: the account is active.
        var user = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(user, "smoke@sosyabot.test", "smoke-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(user, app, "Alice Sandbox", screenshot: "11-smoke-consent");
        Assert.Equal("active", await user.Locator("li.channel[data-handle='sandbox_alice'] [data-state]").GetAttributeAsync("data-state"));
        await BrowserSession.ScreenshotAsync(user, "12-smoke-channel-active");

        // 3. /app/publishing: a one-line post, Publish now.
        await user.GetByRole(AriaRole.Link, new() { Name = "Publishing" }).ClickAsync();
        var text = $"Smoke test {Guid.NewGuid():N}";
        await user.GetByLabel("Post").FillAsync(text);
        await user.GetByLabel("@sandbox_alice").CheckAsync();
        await user.GetByLabel("Publish now").CheckAsync();
        await BrowserSession.ScreenshotAsync(user, "13-smoke-composer");
        await user.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        Assert.Contains("Queued for @sandbox_alice", await user.Locator(".flash-success").TextContentAsync());
        var delivery = user.Locator("li.delivery[data-handle='sandbox_alice']").First;
        for (var i = 0; i < 40 && await delivery.Locator("[data-state]").GetAttributeAsync("data-state") != "published"; i++)
        {
            await user.WaitForTimeoutAsync(250);
            await user.ReloadAsync();
        }
        Assert.Equal("published", await delivery.Locator("[data-state]").GetAttributeAsync("data-state"));
        await BrowserSession.ScreenshotAsync(user, "14-smoke-published");

        // 4. The post is on the sandbox's timeline for that account, and the history links to it.
        var link = await delivery.Locator("a.link-out").GetAttributeAsync("href");
        Assert.StartsWith(app.SandboxAddress + "/sandbox_alice/status/", link);
        await user.GotoAsync(link!);
        Assert.Equal(text, await user.Locator("p.post").TextContentAsync());
        await user.GotoAsync(app.SandboxAddress + "/");
        var timeline = user.Locator("section.account[data-username='sandbox_alice'] tr.post");
        Assert.Contains(text, await timeline.First.TextContentAsync());
        await BrowserSession.ScreenshotAsync(user, "15-smoke-sandbox-timeline");
    }
}

// The admin page's two failure texts and the Disable status, seen in the browser on a fresh instance.
[Collection(BrowserCollection.Name)]
public sealed class SeedFailureTextsBrowserTests(KestrelAppFactory app, BrowserSession browser)
    : IClassFixture<KestrelAppFactory>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task TestCredentials_UnconfiguredThenDisabled_ShowsTheSeedTextsAndDisableHidesConnect()
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.LogInAsAdminAtAsync(admin, "/admin/api-integration/x-twitter");

        await admin.GetByRole(AriaRole.Button, new() { Name = "Test credentials" }).ClickAsync();
        Assert.Contains("Twitter integration disabled: client id/secret not configured", await admin.Locator("#test-result").TextContentAsync());

        await admin.GetByLabel("Client ID").FillAsync("SmokeClient-0123456789");
        await admin.GetByLabel("Client Secret").FillAsync("smoke-secret-0123456789");
        await admin.GetByLabel("Disable").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Test credentials" }).ClickAsync();
        Assert.Contains("X (Twitter) integration disabled by admin", await admin.Locator("#test-result").TextContentAsync());
        await BrowserSession.ScreenshotAsync(admin, "16-admin-disabled");

        var user = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(user, "disabled@sosyabot.test", "disabled-password-123");
        Assert.Equal(0, await user.GetByRole(AriaRole.Button, new() { Name = "Connect → X (Twitter)" }).CountAsync());
        Assert.Contains("X (Twitter) integration disabled by admin", await user.Locator("#oauth-unavailable").TextContentAsync());

        await admin.GetByLabel("Enable").CheckAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        await user.ReloadAsync();
        Assert.Equal(1, await user.GetByRole(AriaRole.Button, new() { Name = "Connect → X (Twitter)" }).CountAsync());
    }
}
