using System.Net.Sockets;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Sosyabot.Web.Hosting;

// While PostgreSQL cannot be reached, every request that needs it answers 503 with a page that says so
// and reloads itself (or problem details under /api), instead of a generic error. Nothing is cached: the
// first request after the database is back is served normally, with no restart.
internal sealed partial class DatabaseUnavailableHandler(ILogger<DatabaseUnavailableHandler> logger) : IExceptionHandler
{
    public const int RetryAfterSeconds = 10;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsDatabaseUnreachable(exception))
        {
            return false;
        }
        LogUnreachable(logger, context.Request.Path, exception.GetBaseException().Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.CacheControl = "no-store";
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await context.Response.WriteAsJsonAsync(new
            {
                type = "https://httpwg.org/specs/rfc9110.html#status.503",
                title = "Database unavailable",
                status = 503,
                detail = $"Sosyabot cannot reach its database right now. Nothing was changed; retry in {RetryAfterSeconds} seconds.",
            }, options: null, contentType: "application/problem+json", cancellationToken);
            return true;
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(Page, cancellationToken);
        return true;
    }

    // A connection refused, reset or timed out on the way to PostgreSQL, however deep it is wrapped.
    public static bool IsDatabaseUnreachable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            if (ex is NpgsqlException { IsTransient: true } or SocketException
                || ex is NpgsqlException && ex.InnerException is IOException or SocketException or TimeoutException)
            {
                return true;
            }
        }
        return false;
    }

    // Self-contained on purpose: the normal layout reads the database (the workspace switcher) and would fail too.
    private static readonly string Page = $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="refresh" content="{{RetryAfterSeconds}}">
        <title>Temporarily unavailable · Sosyabot</title><link rel="stylesheet" href="/css/site.css"></head>
        <body><main class="container"><div class="auth-card" id="database-unavailable">
        <h1>Sosyabot is temporarily unavailable</h1>
        <p>It cannot reach its database right now, so nothing can be shown or saved. Nothing you already
        scheduled is lost: posts wait in the database and go out once it is back.</p>
        <p class="muted">This page tries again every {{RetryAfterSeconds}} seconds. If it keeps showing, the instance's
        admin should check PostgreSQL (<code>./service.sh status</code>, or <code>docker compose ps</code>).</p>
        </div></main></body></html>
        """;

    [LoggerMessage(LogLevel.Warning, "The database is unreachable; answered {Path} with 503: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string path, string reason);
}
