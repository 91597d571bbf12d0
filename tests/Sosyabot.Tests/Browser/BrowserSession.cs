using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Browser;

// The app on a real Kestrel port, for Debian's Chromium to browse.
public class KestrelAppFactory : SosyabotAppFactory
{
    public KestrelAppFactory()
    {
        Port = FreeLoopbackPort();
        UseKestrel(options => options.Listen(IPAddress.Loopback, Port));
    }

    public int Port { get; }

    // Started and sent one page here, outside any test's timeout, so no test's first wait also pays for a cold
    // host (JIT, DataProtection's first key, the first Razor page and EF query), which on a busy CI core took
    // seconds; how long it took is kept, so that slowness stays visible instead of hidden.
    public TimeSpan WarmUp { get; private set; }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var started = System.Diagnostics.Stopwatch.StartNew();
        StartServer();
        using var http = new HttpClient { BaseAddress = new Uri(Address) };
        using var login = await http.GetAsync("/account/login");
        login.EnsureSuccessStatusCode();
        WarmUp = started.Elapsed;
        Console.WriteLine($"{GetType().Name} on {Address} warmed up in {WarmUp.TotalMilliseconds:0} ms");
    }

    public string Address => $"http://127.0.0.1:{Port}";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["BASE_URL"] = Address,
    };

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

// One browser class at a time: each brings its own Chromium, Playwright driver and app host, and two of them
// beside the other suites left a phone-width test's sign-in waiting for CPU on a two-core CI machine.
[CollectionDefinition(Name)]
public sealed class BrowserCollection
{
    public const string Name = "Browser";
}

// Debian's Chromium driven by Playwright; Playwright's own browser download is not used.
public sealed class BrowserSession : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    // Where the suite leaves its screenshots; the README shows some of them.
    public static string ScreenshotFolder { get; } = Path.Combine(Repository.Root, "artifacts", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Debian's Chromium is not at {ChromiumPath}; './service.sh test' installs it (apt-get install chromium).");
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run",
                "--disable-component-update", "--disable-sync",
            ],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task<IPage> NewPageAsync(string baseUrl, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl,
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    // Fills and sends the login form the page is on (or is sent to).
    public static async Task SubmitLoginAsync(IPage page, string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        // A refused login re-renders this page: say why now rather than let the caller's wait for the next page
        // time out, which reads as slowness.
        // (The summary is on every login page; it carries this class only when it lists an error.)
        var refused = page.Locator(".validation-summary-errors");
        if (await refused.CountAsync() > 0)
        {
            throw new InvalidOperationException($"Logging in as {email} failed: {await refused.First.TextContentAsync()}");
        }
    }

    // On the admin's X (Twitter) page: saves this client as enabled and presses Test credentials.
    public static async Task<string?> SaveAndTestXCredentialsAsync(IPage page, string clientId, string clientSecret)
    {
        await page.GetByLabel("Client ID").FillAsync(clientId);
        await page.GetByLabel("Client Secret").FillAsync(clientSecret);
        await page.GetByLabel("Enable").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
        Assert.Contains("settings saved", await page.Locator(".flash-success").TextContentAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Test credentials" }).ClickAsync();
        return await page.Locator("#test-result").TextContentAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
    }
}

public static class PageNavigation
{
    // Polls the browser's address instead of waiting for a load event. WaitForURL, when the address already matches
    // (the click's navigation committed before the wait began), falls back to waiting for "load" even when told to
    // wait only for the commit; three times on a busy CI machine the page reached network-idle, "load" was never
    // reported and the wait timed out with the page in place. The next step's locator waits for what it needs on the
    // page, so nothing reads a half-built page.
    public static Task ArrivedAtAsync(this IPage page, string url) =>
        Assertions.Expect(page).ToHaveURLAsync(GlobPattern(url), new() { Timeout = 30_000 });

    // Playwright's URL globs: ** crosses slashes, * does not; everything else is literal.
    private static System.Text.RegularExpressions.Regex GlobPattern(string glob) =>
        new("^" + System.Text.RegularExpressions.Regex.Escape(glob).Replace(@"\*\*", ".*").Replace(@"\*", "[^/]*") + "$");
}
