using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Notifications;

// The loop that fans events out and sends webhooks: whatever is there, then a short sleep.
internal sealed partial class NotificationsService(
    NotificationFanOut fanOut, WebhookSender webhooks, TimeProvider time, IOptions<NotificationOptions> options, ILogger<NotificationsService> logger)
    : BackgroundService
{
    // Events reach the list and receivers within about this long; the two queries it costs are on partial indexes.
    private static readonly TimeSpan Sleep = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var nextPrune = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (time.GetUtcNow() >= nextPrune)
                {
                    nextPrune = time.GetUtcNow() + PruneEvery;
                    await fanOut.PruneAsync(stoppingToken);
                }
                var busy = await fanOut.RunOnceAsync(stoppingToken) + await webhooks.RunOnceAsync(stoppingToken);
                if (busy == 0)
                {
                    await Task.Delay(Sleep, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database went away, say: keep the loop alive and try again shortly.
                LogLoopFailed(logger, ex);
                await Task.Delay(TimeSpan.FromSeconds(5), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    [LoggerMessage(LogLevel.Error, "The notifications loop failed; retrying in 5 seconds")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
