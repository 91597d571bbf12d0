using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

/// <summary>The app on a real port with the XSandbox, also on a real port, standing in for X.</summary>
public sealed class SandboxedApp : KestrelAppFactory
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
    }
}
