using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;

namespace Sosyabot.Tests.Infrastructure;

// The real app on a real PostgreSQL database of its own. Subclasses set the environment a self-hoster
// would (the configuration contract's variables) by overriding Settings.
public class SosyabotAppFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@sosyabot.test";
    public const string AdminPassword = "admin-password-123";
    public const string BaseUrl = "https://sosyabot.example.test";

    public TestDatabase Database { get; protected set; } = null!;

    public CapturedLogs Logs { get; } = new();

    protected virtual IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ADMIN_EMAIL"] = AdminEmail,
        ["ADMIN_PASSWORD"] = AdminPassword,
    };

    public virtual async Task InitializeAsync() => Database = await TestDatabase.CreateAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DATABASE_URL", Database.ConnectionString);
        builder.UseSetting("BASE_URL", BaseUrl);
        // The test client calls the app as localhost while BASE_URL names the public host; a self-hoster lists
        // such extra names the same way.
        builder.UseSetting("ALLOWED_HOSTS", "localhost");
        // Whatever the machine running the tests has exported must not leak into them.
        builder.UseSetting("TWITTER_CLIENT_ID", "");
        builder.UseSetting("TWITTER_CLIENT_SECRET", "");
        // Some classes register an account per test case (dozens from one address within the hour); the limit itself is
        // tested with its own low value (Identity/SignInHardeningTests). A class's Settings may still set it.
        builder.UseSetting("REGISTRATIONS_PER_HOUR", "1000");
        // Likewise the walks over every route send many failing sign-ins and API calls from one address.
        builder.UseSetting("SIGNIN_FAILURES_PER_IP", "1000");
        builder.UseSetting("SIGNIN_REQUESTS_PER_MINUTE", "1000");
        builder.UseSetting("API_AUTH_FAILURES_PER_IP", "1000");
        builder.UseSetting("DATA_PROTECTION_KEY", AppProcess.DataProtectionKey);
        builder.UseSetting("DATA_PROTECTION_PREVIOUS_KEYS", "");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(Logs));
    }

    public BrowserClient CreateBrowserClient(bool followRedirects = true) =>
        new(() => Server.CreateHandler(), new System.Net.CookieContainer(), followRedirects);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        await Database.DisposeAsync();
    }
}
