using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;

namespace Sosyabot.Tests.Browser;

public sealed class PublishingBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Compose_PublishNowToSandboxChannel_ShowsPublishedWithLinkAndPostIsOnSandbox()
    {
        app.StartServer();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(page);
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Carol Sandbox");

        await page.GetByRole(AriaRole.Link, new() { Name = "Publishing" }).ClickAsync();
        var text = $"Hello from Sosyabot's browser test {Guid.NewGuid():N} https://example.com/a-long-link 🚀";
        await page.GetByLabel("Post").FillAsync(text);
        var serverCount = Sosyabot.Web.Publishing.TweetText.Measure(text).WeightedLength;
        Assert.Equal(94, serverCount);
        Assert.Equal(serverCount.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.Locator(".part .count").First.TextContentAsync());
        await page.GetByLabel("@sandbox_carol").CheckAsync();
        await page.GetByLabel("Publish now").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "07-composer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        Assert.Contains("Queued for @sandbox_carol", await page.Locator(".flash-success").TextContentAsync());

        var delivery = page.Locator("li.delivery[data-handle='sandbox_carol']").First;
        for (var i = 0; i < 40 && await delivery.Locator("[data-state]").GetAttributeAsync("data-state") != "published"; i++)
        {
            await page.WaitForTimeoutAsync(250);
            await page.ReloadAsync();
        }
        Assert.Equal("published", await delivery.Locator("[data-state]").GetAttributeAsync("data-state"));
        var link = await delivery.Locator("a.link-out").GetAttributeAsync("href");
        Assert.StartsWith(app.SandboxAddress + "/sandbox_carol/status/", link);
        await BrowserSession.ScreenshotAsync(page, "08-published");

        using var sandbox = new HttpClient { BaseAddress = new Uri(app.SandboxAddress) };
        var posts = await sandbox.GetFromJsonAsync<JsonElement>("/sandbox/posts");
        var post = Assert.Single(posts.EnumerateArray(), p => p.GetProperty("text").GetString() == text);
        Assert.Equal("sandbox_carol", post.GetProperty("username").GetString());
        Assert.EndsWith("/" + post.GetProperty("id").GetString(), link);
    }

    [Fact]
    public async Task ComposerCounter_InChromium_AgreesWithTwitterTextConformance()
    {
        app.StartServer();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.LogInAsAdminAtAsync(page, "/app/publishing");

        var failures = new List<string>();
        foreach (var conformance in TwitterTextConformance.WeightedWithDiscountedEmoji)
        {
            var measured = await page.EvaluateAsync<JsonElement>("text => window.sosyabotComposer.measure(text)", conformance.Text);
            if (measured.GetProperty("weightedLength").GetInt32() != conformance.WeightedLength || measured.GetProperty("valid").GetBoolean() != conformance.Valid)
            {
                failures.Add($"{conformance.Description}: {measured}");
            }
        }
        foreach (var conformance in TwitterTextConformance.TweetValidity)
        {
            var valid = await page.EvaluateAsync<bool>("text => window.sosyabotComposer.measure(text, window.twitterText.configs.version1).valid", conformance.Text);
            if (valid != conformance.Valid)
            {
                failures.Add($"{conformance.Description}: valid={valid}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(30, TwitterTextConformance.WeightedWithDiscountedEmoji.Count + TwitterTextConformance.TweetValidity.Count);
    }
}
