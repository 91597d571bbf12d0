using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Infrastructure;

public static class PublisherDrain
{
    /// <summary>Runs the publisher until nothing is due at the test clock's present.</summary>
    public static async Task DrainAsync(this Publisher publisher)
    {
        while (await publisher.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }
}
