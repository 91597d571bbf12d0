using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace Sosyabot.Bench;

// PostgreSQL's own rate for publish-now's write, the reference its figure is read against: pgbench committing the
// same two inserts (a post and its queued delivery, one transaction) at the load tool's concurrency, on the same
// database, in the same run.
internal static class PgBench
{
    public static async Task<double> PublishWriteRateAsync(string database, Guid channelId, int clients, int seconds)
    {
        var connection = new NpgsqlConnectionStringBuilder(database);
        string workspaceId, userId;
        await using (var db = new NpgsqlConnection(database))
        {
            await db.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT workspace_id::text, connected_by_user_id FROM channels WHERE id = @id", db);
            command.Parameters.AddWithValue("id", channelId);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            (workspaceId, userId) = (reader.GetString(0), reader.GetString(1));
        }

        var script = Path.Combine(Path.GetTempPath(), "sosyabot-bench-pgbench.sql");
        await File.WriteAllTextAsync(script, """
            \set n random(1, 1000000000)
            BEGIN;
            INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, parts)
                VALUES (gen_random_uuid(), ':workspace', ':user', now(), '2099-01-01 00:00+00', ARRAY['bench ' || :n]) RETURNING id \gset post_
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids)
                VALUES (gen_random_uuid(), ':post_id', ':workspace', ':channel', 'queued', '2099-01-01 00:00+00', 0, '{}', '{}');
            COMMIT;
            """);
        var start = new ProcessStartInfo(Executable(),
        [
            "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture),
            "-D", $"workspace={workspaceId}", "-D", $"user={userId}", "-D", $"channel={channelId}", "-f", script,
            "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database!,
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = connection.Password;
        using var pgbench = Process.Start(start)!;
        var output = await pgbench.StandardOutput.ReadToEndAsync();
        var errors = await pgbench.StandardError.ReadToEndAsync();
        await pgbench.WaitForExitAsync();
        var tps = Regex.Match(output, @"tps = ([\d.]+) \(without initial connection time\)");
        return tps.Success
            ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"pgbench gave no rate (exit {pgbench.ExitCode}): {output}{errors}");
    }

    // On PATH, or where Debian's PostgreSQL packages put it.
    private static string Executable() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "pgbench"))
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(directory => Path.Combine(directory, "bin", "pgbench"))
                : [])
            .FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("pgbench was not found (Debian: apt-get install postgresql-client).");
}
