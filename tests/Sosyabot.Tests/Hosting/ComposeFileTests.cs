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

    private static async Task<string> RenderAsync(string? password)
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
            Assert.True(process.ExitCode == 0, await errors);
            return await output;
        }
        finally
        {
            File.Delete(emptyEnv);
        }
    }
}
