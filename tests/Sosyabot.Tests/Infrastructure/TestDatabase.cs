using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.Web.Data;

namespace Sosyabot.Tests.Infrastructure;

// A database of its own on the PostgreSQL server that './service.sh test' started, created and
// migrated for one test class and dropped afterwards, so classes never see each other's rows.
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _serverConnectionString;

    private TestDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var database = await CreateEmptyAsync();
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        return database;
    }

    // A database without a schema, for tests that apply the migrations themselves.
    public static async Task<TestDatabase> CreateEmptyAsync()
    {
        var serverUrl = Environment.GetEnvironmentVariable("SOSYABOT_TEST_DATABASE_URL")
            ?? throw new InvalidOperationException(
                "SOSYABOT_TEST_DATABASE_URL is not set. Run the tests with './service.sh test', which starts PostgreSQL and sets it.");
        var server = DatabaseOptions.ToNpgsqlConnectionString(serverUrl);
        var database = new TestDatabase(server, $"sosyabot_test_{Guid.NewGuid():N}");

        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return database;
    }

    public SosyabotDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<SosyabotDbContext>().UseSosyabotDatabase(ConnectionString).Options);

    // Runs raw SQL the way someone holding a dump of the database would read it.
    public async Task<List<string>> ReadColumnAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.IsDBNull(0) ? "" : reader.GetValue(0).ToString()!);
        }
        return values;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(_serverConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
