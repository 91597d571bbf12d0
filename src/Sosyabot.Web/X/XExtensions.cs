using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.X;

public static class XExtensions
{
    public static WebApplicationBuilder AddX(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<XOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddTransient<XRequestSigner>();

        var client = builder.Services.AddHttpClient<XClient>((services, http) =>
        {
            http.BaseAddress = new Uri(services.GetRequiredService<IOptions<XOptions>>().Value.ApiBaseUrl);
            http.DefaultRequestHeaders.UserAgent.ParseAdd("Sosyabot/1.0");
        });
        // Reads are retried on transient faults; a POST never is, because X may already have acted on it
        // (a tweet posted, an authorization code spent). Whoever sent it decides what happens next.
        client.AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
        // Added after the resilience handler, so it runs inside it: once per attempt.
        client.AddHttpMessageHandler<XRequestSigner>();
        return builder;
    }
}
