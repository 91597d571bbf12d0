namespace Sosyabot.Tests.Infrastructure;

public static class StartRefusal
{
    // Starts an app that must refuse to start, and returns what it gave as the reason: the exception the start threw
    // and what the app logged. The exception alone is not always the app's: when the app's start fails and disposes its
    // host before WebApplicationFactory has subscribed to the host's start, the factory throws ObjectDisposedException
    // instead. The host logs its failure ("Hosting failed to start") before it disposes, as a self-hoster reads it.
    public static string ReasonForRefusing(this SosyabotAppFactory app)
    {
        var failure = Assert.ThrowsAny<Exception>(() => app.CreateClient().Dispose());
        return string.Join("\n", app.Logs.Lines.Where(line => line.StartsWith("Hosting failed to start", StringComparison.Ordinal))
            .Prepend(failure.ToString()));
    }
}
