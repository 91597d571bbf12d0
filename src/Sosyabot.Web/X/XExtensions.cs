using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.X;

public static class XExtensions
{
    public static WebApplicationBuilder AddX(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<XOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<XRequestSigner>();
        builder.Services.AddScoped<XIntegrationSettings>();
        builder.Services.AddScoped<ILegacySecretColumns, LegacyClientSecret>();
        builder.Services.AddScoped<XWebSettings>();

        var client = builder.Services.AddHttpClient<XClient>((services, http) =>
        {
            // Ending in '/', so that XClient's relative paths keep a path the base URL has (a stand-in mounted under one).
            http.BaseAddress = new Uri(services.GetRequiredService<IOptions<XOptions>>().Value.ApiBaseUrl.TrimEnd('/') + "/");
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Sosyabot/1.0");
        });
        // Reads are retried on transient faults; a POST never is, because X may already have acted on it
        // (a tweet posted, an authorization code spent). Whoever sent it decides what happens next.
        // A 429 is not transient: X's window resets minutes away, and asking again only spends more of it.
        client.AddStandardResilienceHandler(options =>
        {
            options.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome));
            options.Retry.DisableForUnsafeHttpMethods();
            options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome));
        })
        // One pipeline (and circuit breaker) per authority: api.x.com failing must not cut off x.com's web path, nor the reverse.
        .SelectPipelineByAuthority();
        // Added after the resilience handler, so it runs inside it: once per attempt.
        client.AddHttpMessageHandler<XRequestSigner>();
        // HttpClient's own logs (at Trace) list request headers: Authorization and Cookie carry credentials.
        client.RedactLoggedHeaders(_ => true);
        // Cookies are set per request from the channel's own session; a shared cookie jar would carry one
        // account's Set-Cookie into another's calls.
        client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseCookies = false });

        // x.com's web-client surface, for cookie-connected channels: the same rules (never retry a POST, no
        // retry of a 429), its own pipeline per authority (x.com and upload.x.com fail apart from api.x.com).
        var web = builder.Services.AddHttpClient<XWebClient>(http => http.DefaultRequestHeaders.UserAgent.ParseAdd(WebUserAgent));
        web.AddStandardResilienceHandler(options =>
        {
            options.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome));
            options.Retry.DisableForUnsafeHttpMethods();
            options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome));
        })
        .SelectPipelineByAuthority();
        web.RedactLoggedHeaders(_ => true);
        web.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseCookies = false });
        return builder;
    }

    // x.com's web client is a browser; a library's user agent stands out to its bot checks.
    private const string WebUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    private static bool IsTransientFailure(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
