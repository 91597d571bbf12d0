using Sosyabot.Web.Channels;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// Warns, when a post is scheduled, about channels whose access to X ends before it is due.
public sealed class ChannelAccessWarnings(XIntegrationSettings settings)
{
    public async Task<IReadOnlyList<string>> ForAsync(IEnumerable<Channel> channels, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        // Most posts go to channels whose access never ends by itself: the instance's settings are not read for them.
        var mayEnd = channels.Where(ChannelAccess.MayEnd).ToList();
        if (mayEnd.Count == 0)
        {
            return [];
        }
        var integration = await settings.GetAsync(cancellationToken);
        return mayEnd
            .Where(c => ChannelAccess.EndsAt(c, integration) is { } endsAt && endsAt < dueAt)
            .Select(c => $"@{c.Handle}'s access to X ends at {ChannelAccess.EndsAt(c, integration)!.Value.UtcDateTime:yyyy-MM-dd HH:mm} UTC, " +
                         "before this post is due: " +
                         $"it will be held, not lost, until the channel is reconnected. {ChannelAccess.WaysOut(c)}")
            .ToList();
    }
}
