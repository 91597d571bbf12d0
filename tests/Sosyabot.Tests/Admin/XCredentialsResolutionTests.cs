using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Admin;

public sealed class AppWithEnvironmentCredentials : SosyabotAppFactory
{
    public const string EnvClientId = "EnvIdXYZ-from-environment";
    public const string EnvClientSecret = "env-secret-from-environment";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["TWITTER_CLIENT_ID"] = EnvClientId,
        ["TWITTER_CLIENT_SECRET"] = EnvClientSecret,
    };
}

public sealed class XCredentialsResolutionTests(AppWithEnvironmentCredentials app) : IClassFixture<AppWithEnvironmentCredentials>
{
    [Fact]
    public async Task TestCredentials_OnlyEnvironmentSet_UsesEnvironmentValues()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.ClearAsync(admin);

        var page = await XTwitterAdminPage.TestAsync(admin);

        Assert.Contains("EnvIdX", page.QuerySelector("#test-result")!.TextContent);
        Assert.Equal("Environment (TWITTER_CLIENT_ID)", page.QuerySelector("#client-id-source")!.TextContent.Trim());
        Assert.StartsWith("Environment (TWITTER_CLIENT_SECRET)", page.QuerySelector("#client-secret-source")!.TextContent.Trim());
        Assert.DoesNotContain(AppWithEnvironmentCredentials.EnvClientSecret, page.DocumentElement.OuterHtml);
    }

    [Fact]
    public async Task TestCredentials_AdminPanelAndEnvironmentSet_AdminPanelWins()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "PanelWins-client", "panel-secret", "enabled");

        var page = await XTwitterAdminPage.TestAsync(admin);

        Assert.Contains("PanelW", page.QuerySelector("#test-result")!.TextContent);
        Assert.Equal("Admin panel", page.QuerySelector("#client-id-source")!.TextContent.Trim());
        Assert.StartsWith("Admin panel", page.QuerySelector("#client-secret-source")!.TextContent.Trim());
    }

    [Fact]
    public async Task TestCredentials_AdminPanelCleared_FallsBackToEnvironmentWithoutRestart()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "PanelFirst-client", "panel-secret", "enabled");
        Assert.Contains("PanelF", (await XTwitterAdminPage.TestAsync(admin)).QuerySelector("#test-result")!.TextContent);

        await XTwitterAdminPage.ClearAsync(admin);

        Assert.Contains("EnvIdX", (await XTwitterAdminPage.TestAsync(admin)).QuerySelector("#test-result")!.TextContent);
    }

    [Fact]
    public async Task TestCredentials_EnvironmentSetButAdminDisabled_ShowsDisabledByAdmin()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.ClearAsync(admin);
        await XTwitterAdminPage.SaveAsync(admin, "", "", "disabled");

        var page = await XTwitterAdminPage.TestAsync(admin);

        Assert.Equal("X (Twitter) integration disabled by admin", page.QuerySelector("#test-result")!.TextContent);
        await XTwitterAdminPage.SaveAsync(admin, "", "", "enabled");
    }
}
