using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Data;

public static class DataExtensions
{
    public static WebApplicationBuilder AddData(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();

        // Resolved from options at first use (not read here) so that tests and hosts can supply DATABASE_URL late.
        // Pooled: a request reuses a context instead of building one (the context keeps no state of its own).
        // The factory serves singletons (the publisher) a short-lived context of their own; a request's scope gets
        // one from the same pool.
        builder.Services.AddPooledDbContextFactory<SosyabotDbContext>((services, options) =>
            options.UseSosyabotDatabase(services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        builder.Services.AddScoped(services => services.GetRequiredService<IDbContextFactory<SosyabotDbContext>>().CreateDbContext());

        // Keys in the database: every node decrypts what another encrypted, and restarts keep secrets readable. Each key is
        // wrapped with the KEK from the environment before it is written, so the database alone opens nothing; a node
        // without the KEK refuses to start. Keys roll every 90 days (DataProtection's default) under the same KEK.
        builder.Services.AddOptions<KeyRingOptions>().Bind(builder.Configuration).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<KeyRingOptions>, KeyRingOptionsValidation>();
        builder.Services.AddDataProtection()
            .SetApplicationName("Sosyabot")
            .PersistKeysToDbContext<SosyabotDbContext>();
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(
            options => options.XmlEncryptor = new KeyRingXmlEncryptor(services.GetRequiredService<IOptions<KeyRingOptions>>())));
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddHostedService<KeyRingUpgrade>();

        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database");
        return builder;
    }

    // The app, the tests and the bench build their options here: the naming convention is part of the model, and
    // a context built without it would look for columns that do not exist. (Pooling forbids OnConfiguring.)
    public static TBuilder UseSosyabotDatabase<TBuilder>(this TBuilder options, string connectionString)
        where TBuilder : DbContextOptionsBuilder
    {
        options.UseNpgsql(WithoutConnectionReset(connectionString)).UseSnakeCaseNamingConvention();
        return options;
    }

    // A connection going back to the pool is not reset: the app leaves no session state behind (settings are SET
    // LOCAL, advisory locks are the transaction's, the key ring's one session lock is released in a finally), and the
    // reset (DISCARD ALL) ran again on each of the 11 connection uses a published post makes. A connection string that
    // sets No Reset On Close itself keeps its value. Statements are not prepared automatically (Max Auto Prepare):
    // that took PostgreSQL's parsing and planning out of a burst (721 posts in 14 s against 523), but with Npgsql 10.0.3
    // a pooled connection that died in a database outage then failed its next command with a NullReferenceException
    // instead of a connection error, a 500 past the error page (DatabaseOutageTests, 2 runs in 6 under load).
    internal static string WithoutConnectionReset(string connectionString)
    {
        // Npgsql's builder answers ContainsKey for every keyword it knows, set or not: read the keys as written.
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant()).ToHashSet();
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("NORESETONCLOSE"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    // Applies pending EF Core migrations; Sosyabot.Web migrate and service.sh call it.
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<SosyabotDbContext>().Database.MigrateAsync(cancellationToken);
    }
}

internal sealed class DatabaseReadyCheck(SosyabotDbContext db) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            return pending.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied; run './service.sh migrate'.");
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("The database is unreachable.", ex);
        }
    }
}
