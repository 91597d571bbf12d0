using System.ComponentModel.DataAnnotations;
using Npgsql;

namespace Sosyabot.Web.Data;

public sealed class DatabaseOptions
{
    [ConfigurationKeyName("DATABASE_URL"), Required(ErrorMessage =
        "DATABASE_URL is not set. './service.sh start' sets it to its local PostgreSQL cluster; " +
        "otherwise give postgres://user:pass@host:port/db or an Npgsql connection string.")]
    public string? DatabaseUrl { get; set; }

    public string ConnectionString => ToNpgsqlConnectionString(DatabaseUrl
        ?? throw new InvalidOperationException("DATABASE_URL is not set."));

    // Accepts the URL form that hosting platforms hand out as well as a plain Npgsql string.
    public static string ToNpgsqlConnectionString(string databaseUrl)
    {
        if (!databaseUrl.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            && !databaseUrl.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return new NpgsqlConnectionStringBuilder(databaseUrl).ConnectionString;
        }

        var uri = new Uri(databaseUrl);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        var userInfo = uri.UserInfo.Split(':', 2);
        if (userInfo[0].Length > 0)
        {
            builder.Username = Uri.UnescapeDataString(userInfo[0]);
        }
        if (userInfo.Length == 2)
        {
            builder.Password = Uri.UnescapeDataString(userInfo[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            builder[key == "sslmode" ? "SSL Mode" : key] = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        return builder.ConnectionString;
    }
}
