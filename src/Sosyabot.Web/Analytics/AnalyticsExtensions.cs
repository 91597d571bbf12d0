namespace Sosyabot.Web.Analytics;

public static class AnalyticsExtensions
{
    public static WebApplicationBuilder AddAnalytics(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AnalyticsOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AnalyticsReport>();
        builder.Services.AddScoped<MetricsFetcher>();
        builder.Services.AddHostedService<MetricsService>();
        return builder;
    }
}
