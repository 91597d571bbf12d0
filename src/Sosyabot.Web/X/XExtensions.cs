using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.X;

public static class XExtensions
{
    public static WebApplicationBuilder AddX(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<XOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<XRequestSigner>();
        builder.Services.AddScoped<XIntegrationSettings>();

        var client = builder.Services.AddHttpClient<XClient>((services, http) =>
        {
            http.BaseAddress = new Uri(services.GetRequiredService<IOptions<XOptions>>().Value.ApiBaseUrl);
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
        return builder;
    }

    private static bool IsTransientFailure(Polly.Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode != System.Net.HttpStatusCode.TooManyRequests && HttpClientResiliencePredicates.IsTransient(outcome);
}
