using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using Sosyabot.Web.Analytics;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// The sandboxed app without the metrics loop: the test reads metrics with the page's Fetch now, so no reading comes
// from a timer in between.
public sealed class SandboxedAppWithoutMetricsLoop : SandboxedApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            foreach (var loop in services.Where(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(MetricsService)).ToList())
            {
                services.Remove(loop);
            }
        });
    }
}

// Analytics in Chromium: a post published to the XSandbox, its metrics read, the sandbox's numbers changed, read
// again: the post page shows the new numbers and its chart (drawn by the served Chart.js) has two points.
[Collection(BrowserCollection.Name)]
public sealed class AnalyticsBrowserTests(SandboxedAppWithoutMetricsLoop app, BrowserSession browser)
    : IClassFixture<SandboxedAppWithoutMetricsLoop>, IClassFixture<BrowserSession>
{
    [Fact]
    public async Task Metrics_SandboxNumbersChangeAndAreReadAgain_PostPageShowsThemAndTheChartHasTwoPoints()
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();
        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, "analytics@sosyabot.test", "analytics-password-123");
        await SandboxSteps.ConnectSandboxAccountAsync(page, app, "Alice Sandbox");
        var text = $"How many saw this? {Guid.NewGuid().ToString("N")[..8]}";
        var postPage = await PublishAsync(page, text);
        var sandbox = app.Sandbox.Services.GetRequiredService<SandboxState>();
        var tweet = sandbox.Posts.Single(p => p.Text == text);

        await page.Locator(".topbar .nav").GetByRole(AriaRole.Link, new() { Name = "Analytics", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/app/analytics");
        Assert.Contains("Metrics are off", await page.Locator("#metrics-state").TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn metrics on" }).ClickAsync();
        Assert.Contains("Metrics are on", await page.Locator(".flash-success").TextContentAsync());
        await SetSandboxMetricsAsync(tweet.Id, likes: 3, impressions: 120);
        await page.GetByRole(AriaRole.Button, new() { Name = "Fetch now" }).ClickAsync();
        Assert.Equal("Read the metrics of 1 post from X.", (await page.Locator(".flash-success").TextContentAsync())?.Trim());

        await page.GotoAsync(postPage);
        Assert.Equal("3", await page.Locator("#post-metrics dd[data-metric='likes']").TextContentAsync());
        Assert.Equal(1, await ChartPointsAsync(page));

        await SetSandboxMetricsAsync(tweet.Id, likes: 42, impressions: 1337);
        await page.GotoAsync("/app/analytics");
        await page.GetByRole(AriaRole.Button, new() { Name = "Fetch now" }).ClickAsync();
        Assert.Equal("Read the metrics of 1 post from X.", (await page.Locator(".flash-success").TextContentAsync())?.Trim());
        Assert.Equal("42", await page.Locator($"#post-metrics tr[data-tweet-id='{tweet.Id}'] td:nth-child(5)").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "analytics");

        await page.GotoAsync(postPage);
        Assert.Equal("42", await page.Locator("#post-metrics dd[data-metric='likes']").TextContentAsync());
        Assert.Equal("1,337", await page.Locator("#post-metrics dd[data-metric='impressions']").TextContentAsync());
        Assert.Equal(2, await ChartPointsAsync(page));
        var likes = await page.EvaluateAsync<int[]>(
            "() => Chart.getChart(document.querySelector('#post-metrics canvas')).data.datasets.find(d => d.label === 'Likes').data");
        Assert.Equal([3, 42], likes);
        await BrowserSession.ScreenshotAsync(page, "analytics-post");
    }

    private static async Task<string> PublishAsync(IPage page, string text)
    {
        await page.GotoAsync("/app/publishing");
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await page.GetByLabel("Publish now").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        await page.Locator("li.post-row", new() { HasText = text }).GetByRole(AriaRole.Link, new() { Name = "Open", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/app/publishing/posts/*");
        // The publisher runs on its own loop here: reload until the post is on X.
        var until = TimeProvider.System.GetUtcNow().AddSeconds(60);
        while (await page.Locator("#deliveries li.delivery[data-handle='sandbox_alice']").GetAttributeAsync("data-state") != "published"
               && TimeProvider.System.GetUtcNow() < until)
        {
            await page.WaitForTimeoutAsync(300);
            await page.ReloadAsync();
        }
        Assert.Equal("published", await page.Locator("#deliveries li.delivery[data-handle='sandbox_alice']").GetAttributeAsync("data-state"));
        return page.Url;
    }

    // The chart as Chart.js drew it: the number of points on its x axis.
    private static async Task<int> ChartPointsAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.Chart && Chart.getChart(document.querySelector('#post-metrics canvas'))");
        return await page.EvaluateAsync<int>("() => Chart.getChart(document.querySelector('#post-metrics canvas')).data.labels.length");
    }

    private async Task SetSandboxMetricsAsync(string tweetId, long likes, long impressions)
    {
        using var http = new HttpClient { BaseAddress = new Uri(app.SandboxAddress) };
        using var response = await http.PostAsJsonAsync($"/sandbox/metrics/{tweetId}", new
        {
            retweet_count = likes / 3, reply_count = likes / 6, like_count = likes, quote_count = likes / 14, bookmark_count = likes / 7,
            impression_count = impressions,
        });
        response.EnsureSuccessStatusCode();
    }
}
