using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Reliability;

// A database of its own, the XSandbox on loopback as X, and the environment app processes get: the ground
// for drills where the app runs as real, killable processes.
public sealed class Drill : IAsyncDisposable
{
    private Drill(WebApplication sandbox, TestDatabase database, string sandboxAddress)
    {
        Sandbox = sandbox;
        Database = database;
        SandboxAddress = sandboxAddress;
        X = new HttpClient { BaseAddress = new Uri(sandboxAddress) };
    }

    public WebApplication Sandbox { get; }
    public TestDatabase Database { get; }
    public string SandboxAddress { get; }
    public HttpClient X { get; }

    public static async Task<Drill> StartAsync(params string[] sandboxSettings)
    {
        var sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. sandboxSettings]);
        await sandbox.StartAsync();
        var address = sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Drill(sandbox, await TestDatabase.CreateAsync(), address);
    }

    public Dictionary<string, string> Environment(bool publisher, int claimLeaseSeconds = 300) => new()
    {
        ["DATABASE_URL"] = Database.ConnectionString,
        ["X_API_BASE_URL"] = SandboxAddress,
        ["X_AUTHORIZE_URL"] = SandboxAddress + "/i/oauth2/authorize",
        ["X_WEB_BASE_URL"] = SandboxAddress,
        ["PUBLISHER_ENABLED"] = publisher ? "true" : "false",
        ["PUBLISHER_CLAIM_LEASE_SECONDS"] = claimLeaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public SandboxState XState => Sandbox.Services.GetRequiredService<SandboxState>();

    public async Task<List<(string Id, string Username, string Text)>> PostsOnXAsync()
    {
        var posts = await X.GetFromJsonAsync<JsonElement>("/sandbox/posts");
        return posts.EnumerateArray()
            .Select(p => (p.GetProperty("id").GetString()!, p.GetProperty("username").GetString()!, p.GetProperty("text").GetString()!))
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        X.Dispose();
        await Sandbox.DisposeAsync();
        await Database.DisposeAsync();
    }
}
