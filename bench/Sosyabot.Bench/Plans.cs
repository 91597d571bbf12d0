using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Bench;

internal static class Plans
{
    // EXPLAIN of exactly the command EF sends for the query (the SQL ToQueryString() shows), with its parameters.
    // Without analyze nothing runs: the publisher's lease and claim write, and a plan of them must not.
    public static async Task<string> ExplainAsync<T>(SosyabotDbContext db, IQueryable<T> query, bool analyze)
    {
        await using DbCommand command = query.CreateDbCommand();
        command.CommandText = (analyze ? "EXPLAIN (ANALYZE, BUFFERS) " : "EXPLAIN ") + command.CommandText;
        await db.Database.OpenConnectionAsync();
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }
        return string.Join("\n", lines);
    }
}
