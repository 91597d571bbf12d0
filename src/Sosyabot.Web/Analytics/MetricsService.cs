using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Analytics;

// Wakes every few minutes and reads the metrics that are due. Off when METRICS_INTERVAL_MINUTES is 0.
public sealed partial class MetricsService(
    IServiceScopeFactory scopes, TimeProvider time, IOptions<AnalyticsOptions> options, ILogger<MetricsService> logger) : BackgroundService
{
    // The schedule decides what is due; this only bounds how late a due post is read.
    private static TimeSpan Tick(TimeSpan interval) => interval < TimeSpan.FromMinutes(5) ? interval : TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var tick = Tick(options.Value.Interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<MetricsFetcher>().FetchDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database went away, say: the next tick tries again.
                LogRunFailed(logger, ex);
            }
            await Task.Delay(tick, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(LogLevel.Error, "Reading metrics from X failed; trying again at the next tick")]
    private static partial void LogRunFailed(ILogger logger, Exception ex);
}
