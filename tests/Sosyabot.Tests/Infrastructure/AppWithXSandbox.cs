using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Infrastructure;

// The app with the XSandbox (on a real port) in X's place; both read one clock the tests move, so that
// x.com's rate-limit resets and post dates mean the same instant to both. SANDBOX_EXTRA_ACCOUNTS gives each
// test an account of its own (sandbox_load01, ...).
public class AppWithXSandbox : SosyabotAppFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public WebApplication Sandbox { get; }

    public string SandboxAddress { get; private set; } = "";

    public AppWithXSandbox()
    {
        Sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--SANDBOX_EXTRA_ACCOUNTS=30"],
            builder => builder.Services.AddSingleton<TimeProvider>(Clock));
    }

    public SandboxState SandboxState => Sandbox.Services.GetRequiredService<SandboxState>();

    public SandboxWebState SandboxWeb => Sandbox.Services.GetRequiredService<SandboxWebState>();

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
        ["PUBLISHER_ENABLED"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.UseFakeClock(Clock));
    }

    public override async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
