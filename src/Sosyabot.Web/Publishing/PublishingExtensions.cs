using Sosyabot.Web.Channels;

namespace Sosyabot.Web.Publishing;

public static class PublishingExtensions
{
    public static WebApplicationBuilder AddPublishing(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublishingOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<PublishingQueue>();
        builder.Services.AddScoped<PostLifecycle>();
        builder.Services.AddScoped<DeliverySender>();
        builder.Services.AddScoped<ChannelAccessWarnings>();
        builder.Services.AddScoped<PostHistory>();
        builder.Services.AddScoped<IChannelPosts, ChannelPosts>();
        builder.Services.AddScoped<RateBudgets>();
        builder.Services.AddSingleton<Publisher>();
        builder.Services.AddSingleton<PostCommits>();
        builder.Services.AddHostedService<PublisherService>();
        return builder;
    }
}
