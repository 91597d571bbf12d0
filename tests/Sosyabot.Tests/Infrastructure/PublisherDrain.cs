using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Infrastructure;

public static class PublisherDrain
{
    // Runs the publisher until nothing is due at the test clock's present.
    public static async Task DrainAsync(this Publisher publisher)
    {
        while (await publisher.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }
}
