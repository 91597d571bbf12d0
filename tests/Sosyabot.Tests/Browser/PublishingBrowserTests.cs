using System.Text.Json;
using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;

namespace Sosyabot.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class PublishingBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
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
            if (measured.GetProperty("weightedLength").GetInt32() != conformance.WeightedLength
                || measured.GetProperty("valid").GetBoolean() != conformance.Valid)
            {
                failures.Add($"{conformance.Description}: {measured}");
            }
        }
        foreach (var conformance in TwitterTextConformance.TweetValidity)
        {
            var valid = await page.EvaluateAsync<bool>(
                "text => window.sosyabotComposer.measure(text, window.twitterText.configs.version1).valid", conformance.Text);
            if (valid != conformance.Valid)
            {
                failures.Add($"{conformance.Description}: valid={valid}");
            }
        }

        Assert.Empty(failures);
        Assert.Equal(30, TwitterTextConformance.WeightedWithDiscountedEmoji.Count + TwitterTextConformance.TweetValidity.Count);
    }
}
