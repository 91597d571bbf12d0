using System.Net;
using AngleSharp.Dom;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Tests.Admin;

public sealed class XCredentialsPageTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    private const string PagePath = XTwitterAdminPage.Path;
    private const string CallbackUrl = SosyabotAppFactory.BaseUrl + "/api/v1/auth/twitter/callback";

    [Fact]
    public async Task TestCredentials_AdminSavedBoth_ShowsClientIdPrefixAndCallbackUrl()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "AbCdEfGhIjKlMnOpQrSt", "saved-secret-1", "enabled");

        var page = await XTwitterAdminPage.TestAsync(admin);

        var result = page.QuerySelector("#test-result")!;
        Assert.Contains("flash-success", result.ClassName);
        Assert.Contains("AbCdEf", result.TextContent);
        Assert.DoesNotContain("AbCdEfG", result.TextContent);
        Assert.Contains(CallbackUrl, result.TextContent);
        Assert.Equal("Admin panel", page.QuerySelector("#client-id-source")!.TextContent.Trim());
        Assert.Equal(CallbackUrl, page.QuerySelector("#callback-url")!.TextContent);
    }

    [Fact]
    public async Task TestCredentials_NothingConfigured_ShowsNotConfiguredMessage()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.ClearAsync(admin);
        await XTwitterAdminPage.SaveAsync(admin, "", "", "enabled");

        var page = await XTwitterAdminPage.TestAsync(admin);

        Assert.Equal("Twitter integration disabled: client id/secret not configured", page.QuerySelector("#test-result")!.TextContent);
        Assert.Equal("Not set", page.QuerySelector("#client-id-source")!.TextContent.Trim());
    }

    [Fact]
    public async Task TestCredentials_StatusDisabled_ShowsDisabledByAdminMessage()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "DisabledClient", "disabled-secret", "disabled");

        var page = await XTwitterAdminPage.TestAsync(admin);

        Assert.Equal("X (Twitter) integration disabled by admin", page.QuerySelector("#test-result")!.TextContent);
    }

    [Fact]
    public async Task Save_NewClientId_TakesEffectOnNextRequestWithoutRestart()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "First1-client", "first-secret", "enabled");
        Assert.Contains("First1", (await XTwitterAdminPage.TestAsync(admin)).QuerySelector("#test-result")!.TextContent);

        await XTwitterAdminPage.SaveAsync(admin, "Second-client", "", "enabled");

        Assert.Contains("Second", (await XTwitterAdminPage.TestAsync(admin)).QuerySelector("#test-result")!.TextContent);
    }

    [Fact]
    public async Task Save_Secret_StoredAsCiphertextAndNeverEchoed()
    {
        const string secret = "plaintext-secret-that-must-not-leak";
        var admin = await app.LogInAsAdminAsync();

        using var response = await XTwitterAdminPage.SubmitSaveAsync(admin, "CipherClient", secret, "enabled");
        var html = await response.Content.ReadAsStringAsync();

        var stored = Assert.Single(await app.Database.ReadColumnAsync($"SELECT value FROM options WHERE key = '{OptionKeys.XClientSecret}'"));
        Assert.DoesNotContain(secret, stored);
        Assert.StartsWith(SecretProtector.Prefix, stored);
        var wholeTable = string.Join("\n", await app.Database.ReadColumnAsync("SELECT key || '=' || value FROM options"));
        Assert.DoesNotContain(secret, wholeTable);
        Assert.DoesNotContain(secret, html);
        Assert.Contains("set (hidden)", html);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(secret));

        await using var scope = app.Services.CreateAsyncScope();
        var state = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(CancellationToken.None);
        Assert.Equal(secret, state.ClientSecret.Value);
    }

    [Fact]
    public async Task Save_SecretLeftBlank_KeepsSavedSecret()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "KeepClient", "kept-secret", "enabled");

        await XTwitterAdminPage.SaveAsync(admin, "KeepClient2", "", "enabled");

        await using var scope = app.Services.CreateAsyncScope();
        var state = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(CancellationToken.None);
        Assert.Equal("kept-secret", state.ClientSecret.Value);
        Assert.Equal("KeepClient2", state.ClientId.Value);
    }

    [Theory]
    [InlineData("Input.ClientId", "has space", "must not contain spaces")]
    [InlineData("Input.ClientId", "trailing-newline\n", "must not contain spaces")]
    [InlineData("Input.ClientSecret", "bell\u0007char", "visible ASCII")]
    [InlineData("Input.ClientSecret", "caf\u00e9", "visible ASCII")]
    [InlineData("Input.ClientId", null, "well under 200")]
    public async Task Save_MalformedValue_ShowsFieldErrorAndSavesNothing(string field, string? value, string expectedError)
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "BeforeBadInput", "before-secret", "enabled");
        var before = await app.Database.ReadColumnAsync("SELECT key || '=' || value || '@' || updated_at FROM options ORDER BY key");

        var values = new Dictionary<string, string>
        {
            ["Input.ClientId"] = "GoodClient",
            ["Input.ClientSecret"] = "good-secret",
            ["Input.Status"] = "enabled",
            [field] = value ?? new string('x', 201),
        };
        var page = await admin.GetDocumentAsync(PagePath);
        using var response = await admin.SubmitAsync(page, "#save", values);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var shown = await HtmlForms.ParseAsync(response);
        var error = shown.QuerySelector($"[data-valmsg-for='{field}']")!.TextContent;
        Assert.Contains(expectedError, error);
        Assert.Equal(before, await app.Database.ReadColumnAsync("SELECT key || '=' || value || '@' || updated_at FROM options ORDER BY key"));
    }

    [Fact]
    public async Task Save_WithoutAntiforgeryToken_IsRejectedAndSavesNothing()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "BeforeForgery", "before-forgery", "enabled");

        using var response = await admin.PostAsync(PagePath + "?handler=Save", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.ClientId"] = "ForgedClient",
            ["Input.ClientSecret"] = "forged-secret",
            ["Input.Status"] = "disabled",
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["BeforeForgery"], await app.Database.ReadColumnAsync($"SELECT value FROM options WHERE key = '{OptionKeys.XClientId}'"));
    }

    [Fact]
    public async Task Page_NonAdmin_Gets403()
    {
        var member = await app.RegisterAsync($"member-{Guid.NewGuid():N}@sosyabot.test");

        using var get = await member.GetAsync(PagePath);
        using var post = await member.PostAsync(PagePath + "?handler=Save", new FormUrlEncodedContent([]));
        using var adminHome = await member.GetAsync("/admin");

        Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
        Assert.Contains("Not allowed", await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, adminHome.StatusCode);
    }

    [Fact]
    public async Task Page_Anonymous_RedirectsToLogin()
    {
        var anonymous = app.CreateBrowserClient(followRedirects: false);

        using var response = await anonymous.GetAsync(PagePath);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("https://localhost/account/login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ClearSaved_EnvironmentEmpty_FallsBackToNothing()
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, "ToBeCleared", "cleared-secret", "enabled");

        var page = await admin.GetDocumentAsync(PagePath);
        using var response = await admin.SubmitAsync(page, "form[action*='handler=Clear'] button");

        Assert.Empty(await app.Database.ReadColumnAsync(
            $"SELECT value FROM options WHERE key IN ('{OptionKeys.XClientId}', '{OptionKeys.XClientSecret}')"));
        Assert.Equal("Not set", (await HtmlForms.ParseAsync(response)).QuerySelector("#client-id-source")!.TextContent.Trim());
    }
}
