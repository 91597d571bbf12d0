using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Serilog;
using Serilog.Events;

namespace Sosyabot.Web.Hosting;

public static class HostingExtensions
{
    public static WebApplicationBuilder AddHosting(this WebApplicationBuilder builder)
    {
        // The contract is PORT (default 8080) unless ASPNETCORE_URLS says otherwise.
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            var port = builder.Configuration["PORT"] is { Length: > 0 } p ? p : "8080";
            builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        }

        // preserveStaticLogger: each host writes through its own logger, not the process-wide Log.Logger, which
        // several hosts in one process (the test suite, a second node) would overwrite and one host's shutdown
        // would close for all of them.
        builder.Services.AddSerilog(preserveStaticLogger: true, configureLogger: (services, logger) => logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", LogEventLevel.Warning)
            // Every call to X would otherwise log five lines; failures still log at Warning and above.
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.With<RedactSensitiveProperties>()
            // Console writes are synchronous and serialised, and every request writes a line: a background writer
            // takes them off the requests' threads (publish-now benchmark: 529 -> 563 req/s, p99 222 -> 165 ms). It
            // waits rather than drop a line when its buffer is full, and writes what is left when the host stops.
            .WriteTo.Async(sink => sink.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture), blockWhenFull: true));

        builder.Services.AddOptions<SiteOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddRazorPages(options =>
        {
            // Pages live in their feature folders (Admin/, Identity/, ...) rather than under Pages/.
            options.RootDirectory = "/";
            options.Conventions.ConfigureFilter(new PageHandlerCheck());
        });
        builder.Services.AddOptions<Microsoft.AspNetCore.HttpsPolicy.HstsOptions>().Configure<Microsoft.Extensions.Options.IOptions<SiteOptions>>((hsts, site) =>
        {
            hsts.MaxAge = TimeSpan.FromDays(site.Value.HstsMaxAgeDays);
            hsts.IncludeSubDomains = site.Value.HstsIncludeSubdomains;
        });
        builder.Services.AddHealthChecks();
        // Features add their own policies (sign-in, registration); a refusal is a 429 with the wait in Retry-After,
        // which the status code pages turn into a page for people and problem details for API callers.
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                if (context.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter))
                {
                    context.HttpContext.Response.Headers.RetryAfter =
                        ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                return ValueTask.CompletedTask;
            };
        });
        builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
        builder.Services.AddExceptionHandler<BadRequestProblemHandler>();
        // Malformed API bodies throw, so that BadRequestProblemHandler can say what was wrong with them.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static WebApplication UseHosting(this WebApplication app)
    {
        var site = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SiteOptions>>().Value;
        var hostNames = site.HostNames();
        app.UseTrustedForwardedHeaders(site, hostNames);
        app.UseHostCheck(hostNames);
        // In every environment, so that a database outage looks the same in development as in production.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandlingPath = "/error",
            // A body that cannot be read (a malformed form or multipart, too many fields) is the client's fault.
            StatusCodeSelector = exception => exception switch
            {
                BadHttpRequestException badRequest => badRequest.StatusCode,
                InvalidDataException => StatusCodes.Status400BadRequest,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        // People get an error page; API callers get problem details, never HTML.
        app.UseWhen(context => !context.Request.Path.StartsWithSegments("/api"), pages => pages.UseStatusCodePagesWithReExecute("/error/{0}"));
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages());
        // Only on https (the middleware checks), so a plain-http install is never told to insist on https; loopback
        // names are left out so a developer's localhost is not pinned to https for a year.
        app.UseHsts();
        app.UseSecurityHeaders();
        // Behind TLS (an https BASE_URL, usually through a reverse proxy) every cookie is Secure, whatever
        // scheme the proxy speaks to the app; on a plain-http install they could not be, or nobody could log in.
        app.UseCookiePolicy(new CookiePolicyOptions
        {
            Secure = site.IsHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest,
            MinimumSameSitePolicy = SameSiteMode.Lax,
            HttpOnly = Microsoft.AspNetCore.CookiePolicy.HttpOnlyPolicy.Always,
        });
        app.UseStaticFiles();
        // The client as the trusted proxies (if any) reported it, for telling one abuser from many.
        app.UseSerilogRequestLogging(options =>
        {
            // This host's own logger: the middleware's default is the static Log.Logger, which this host does not
            // configure (preserveStaticLogger), so request lines went nowhere.
            options.Logger = app.Services.GetService<Serilog.ILogger>();
            options.EnrichDiagnosticContext = (diagnostics, context) => diagnostics.Set("ClientIp", context.Connection.RemoteIpAddress?.ToString());
        });
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            // The reason (database unreachable, migrations pending) in plain words, for people and probes alike.
            ResponseWriter = (context, report) => context.Response.WriteAsync(
                report.Status == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? "Healthy"
                : "Unhealthy: " + string.Join(" ", report.Entries.Values.Select(e => e.Description))),
        }).AllowAnonymous();
        return app;
    }

    // X-Forwarded-For/-Proto/-Host are believed only from FORWARDED_PROXIES, and a forwarded host only if it is one
    // of ours; from anyone else they are ignored, so the client IP that logs and rate limits see cannot be made up.
    private static void UseTrustedForwardedHeaders(this WebApplication app, SiteOptions site, IReadOnlyList<string> hostNames)
    {
        var proxies = site.ProxyNetworks();
        if (proxies.Count == 0)
        {
            return;
        }
        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            // Walk back through every trusted hop (a CDN in front of a proxy) and stop at the first address that is not one.
            ForwardLimit = null,
            AllowedHosts = [.. hostNames],
        };
        // The defaults trust loopback; only what the admin listed is trusted.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var network in proxies)
        {
            options.KnownIPNetworks.Add(network);
        }
        app.UseForwardedHeaders(options);
    }

    private static void UseSecurityHeaders(this WebApplication app)
    {
        var headerOptions = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SecurityHeaderOptions>>().Value;
        var inlineScriptPaths = headerOptions.InlineScriptPaths;
        var formAction = string.Join(" ", headerOptions.FormActionOrigins.Distinct(StringComparer.OrdinalIgnoreCase).Prepend("'self'"));
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers.XFrameOptions = "DENY";
            var inline = inlineScriptPaths.Any(path => context.Request.Path.StartsWithSegments(path)) ? " 'unsafe-inline'" : "";
            headers.ContentSecurityPolicy =
                $"default-src 'self'; img-src 'self' data: https: http:; style-src 'self'{inline}; script-src 'self'{inline}; " +
                $"frame-ancestors 'none'; base-uri 'self'; form-action {formAction}";
            return next(context);
        });
    }
}
