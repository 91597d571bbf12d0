using System.Diagnostics;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;

namespace Sosyabot.Tests.Hosting;

// docker-compose.yml as Compose renders it: the configuration self-hosters actually run.
public sealed class ComposeFileTests
{
    [Theory]
    [InlineData(null, "sosyabot")]
    [InlineData("p4ss-w0rd", "p4ss-w0rd")]
    public async Task Config_RendersTheBundledDatabaseUrl_WithThePostgresPassword(string? password, string expectedPassword)
    {
        var rendered = await RenderAsync(password);

        var urls = rendered.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("DATABASE_URL:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, urls.Count); // the app and the one-shot migrate container
        foreach (var line in urls)
        {
            var url = line["DATABASE_URL:".Length..].Trim().Trim('\'', '"');
            Assert.Equal($"postgres://sosyabot:{expectedPassword}@db:5432/sosyabot", url);
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseOptions.ToNpgsqlConnectionString(url));
            Assert.Equal(("db", 5432, "sosyabot", expectedPassword), (connection.Host, connection.Port, connection.Database, connection.Password));
        }
    }

    [Fact]
    public async Task Config_WithoutDataProtectionKey_FailsNamingTheSetting()
    {
        var (exitCode, _, errors) = await RunConfigAsync(null, dataProtectionKey: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("DATA_PROTECTION_KEY is not set", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_WithDataProtectionKey_PassesItToTheAppAndTheMigrateContainer()
    {
        var rendered = await RenderAsync(null);

        var keys = rendered.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("DATA_PROTECTION_KEY:", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, keys.Count);
        Assert.All(keys, line => Assert.Equal(AppProcess.DataProtectionKey, line["DATA_PROTECTION_KEY:".Length..].Trim().Trim('\'', '"')));
    }

    private static async Task<string> RenderAsync(string? password)
    {
        var (exitCode, output, errors) = await RunConfigAsync(password, AppProcess.DataProtectionKey);
        Assert.True(exitCode == 0, errors);
        return output;
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunConfigAsync(string? password, string? dataProtectionKey)
    {
        // Debian's docker-compose (v1) renders what Compose v2 renders for this file; ./service.sh test installs it.
        // An empty env file, so that a developer's own .env does not decide the outcome.
        var emptyEnv = Path.GetTempFileName();
        var start = new ProcessStartInfo("docker-compose", ["--env-file", emptyEnv, "-f", Path.Combine(Repository.Root, "docker-compose.yml"), "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        start.Environment.Remove("DATABASE_URL");
        start.Environment.Remove("POSTGRES_PASSWORD");
        start.Environment.Remove("DATA_PROTECTION_KEY");
        if (dataProtectionKey is not null)
        {
            start.Environment["DATA_PROTECTION_KEY"] = dataProtectionKey;
        }
        if (password is not null)
        {
            start.Environment["POSTGRES_PASSWORD"] = password;
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await errors);
        }
        finally
        {
            File.Delete(emptyEnv);
        }
    }
}
