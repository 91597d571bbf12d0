using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Notifications;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// Raises "channel access ending soon" once per channel and end time, when a channel's access to X (ChannelAccess.EndsAt)
// ends within Warning and nothing will renew it. The event's dedup key makes a second node's or a second pass's
// warning a no-op.
public sealed partial class ChannelAccessWatch(IServiceScopeFactory scopes, TimeProvider time, ILogger<ChannelAccessWatch> logger) : BackgroundService
{
    public static readonly TimeSpan Warning = TimeSpan.FromHours(1);
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    // Returns how many channels it warned about (or found already warned about).
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var integration = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(cancellationToken);
        var events = scope.ServiceProvider.GetRequiredService<IWorkspaceEvents>();
        var links = scope.ServiceProvider.GetRequiredService<LinkGenerator>();
        var now = time.GetUtcNow();
        var horizon = now + Warning;
        var candidates = await db.Channels.AsNoTracking()
            .Where(c => c.Kind == ChannelKind.OAuth2 && c.State == ChannelStates.Active
                        && c.AccessTokenExpiresAt != null && c.AccessTokenExpiresAt > now && c.AccessTokenExpiresAt <= horizon)
            .ToListAsync(cancellationToken);
        var warned = 0;
        foreach (var channel in candidates)
        {
            if (ChannelAccess.EndsAt(channel, integration) is not { } endsAt)
            {
                continue;
            }
            await events.RecordAsync(new WorkspaceEvent(channel.WorkspaceId, WorkspaceEventTypes.ChannelAccessEnding,
                $"@{channel.Handle}'s access to X ends soon",
                $"@{channel.Handle}'s access to X ends at {endsAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC; posts due after that are held until it is " +
                $"reconnected. {ChannelAccess.WaysOut(channel)}",
                links.GetPathByPage("/Channels/Details", values: new { id = channel.Id }),
                new Dictionary<string, string?>
                {
                    ["channel_id"] = channel.Id.ToString("D"),
                    ["channel_handle"] = channel.Handle,
                    ["ends_at"] = endsAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                })
            {
                DedupKey = $"{WorkspaceEventTypes.ChannelAccessEnding}:{channel.Id:N}:{endsAt.ToUnixTimeSeconds()}",
            }, cancellationToken);
            warned++;
        }
        return warned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await Task.Delay(Every, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex);
                await Task.Delay(Every, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "Checking for channels whose access ends soon failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
