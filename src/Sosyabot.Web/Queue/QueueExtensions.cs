using Sosyabot.Web.Publishing;

namespace Sosyabot.Web.Queue;

public static class QueueExtensions
{
    public static WebApplicationBuilder AddQueue(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<PostingQueue>();
        builder.Services.AddScoped<IQueueSlots>(services => services.GetRequiredService<PostingQueue>());
        return builder;
    }
}
