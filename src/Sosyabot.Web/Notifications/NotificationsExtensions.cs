namespace Sosyabot.Web.Notifications;

public static class NotificationsExtensions
{
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<IWorkspaceEvents, WorkspaceEvents>();
        builder.Services.AddScoped<NotificationBadge>();
        builder.Services.AddSingleton<NotificationFanOut>();
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddSingleton<WebhookAddresses>();
        builder.Services.AddSingleton<WebhookSender>();
        builder.Services.AddScoped<WebhookTests>();
        builder.Services.AddHostedService<NotificationsService>();
        // Its own client: no redirects (a 3xx is a failed attempt, never a second request elsewhere), no proxy, and every
        // connection checked against the address rules; the 10 s limit is per attempt, in WebhookSender.
        builder.Services.AddHttpClient(WebhookSender.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(services => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                UseCookies = false,
                ConnectTimeout = WebhookAddresses.Timeout,
                ConnectCallback = services.GetRequiredService<WebhookAddresses>().ConnectAsync,
            });
        return builder;
    }
}
