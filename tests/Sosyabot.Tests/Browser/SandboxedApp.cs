using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// The app on a real port with the XSandbox, also on a real port, standing in for X.
public class SandboxedApp : KestrelAppFactory
{
    public WebApplication Sandbox { get; } = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);

    public string SandboxAddress { get; private set; } = "";

    public override async Task InitializeAsync()
    {
        await Sandbox.StartAsync();
        SandboxAddress = Sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["X_API_BASE_URL"] = SandboxAddress,
        ["X_AUTHORIZE_URL"] = SandboxAddress + "/i/oauth2/authorize",
        ["X_WEB_BASE_URL"] = SandboxAddress,
    };

    public override async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

// The steps of the seed's smoke test that several browser tests share.
public static class SandboxSteps
{
    // Opens path, is sent to log in, logs in as the admin and is sent back.
    public static async Task LogInAsAdminAtAsync(Microsoft.Playwright.IPage page, string path)
    {
        await page.GotoAsync(path);
        await BrowserSession.SubmitLoginAsync(page, Infrastructure.SosyabotAppFactory.AdminEmail, Infrastructure.SosyabotAppFactory.AdminPassword);
        await page.ArrivedAtAsync("**" + path);
    }

    // Registers a new account through the form and lands on its channels page.
    public static async Task RegisterAsync(Microsoft.Playwright.IPage page, string email, string password)
    {
        await page.GotoAsync("/account/register");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm password").FillAsync(password);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Register" }).ClickAsync();
        await page.ArrivedAtAsync("**/app/channels");
    }

    // As the admin: saves the sandbox's client and presses Test credentials.
    public static async Task<string?> ConfigureSandboxClientAsync(Microsoft.Playwright.IPage page)
    {
        await LogInAsAdminAtAsync(page, "/admin/api-integration/x-twitter");
        return await BrowserSession.SaveAndTestXCredentialsAsync(page, "sandbox-client-id", "sandbox-client-secret");
    }

    // Connect → X, choose accountName on the sandbox's consent page, Authorize.
    public static async Task ConnectSandboxAccountAsync(Microsoft.Playwright.IPage page, SandboxedApp app, string accountName, string? screenshot = null)
    {
        await page.GotoAsync("/app/channels");
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Connect → X (Twitter)" }).ClickAsync();
        await page.ArrivedAtAsync(app.SandboxAddress + "/i/oauth2/authorize**");
        await page.GetByLabel(accountName).CheckAsync();
        if (screenshot is not null)
        {
            await BrowserSession.ScreenshotAsync(page, screenshot);
        }
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Authorize app" }).ClickAsync();
        await page.ArrivedAtAsync(app.Address + "/app/channels");
    }
}
