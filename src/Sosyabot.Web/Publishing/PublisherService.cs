using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Publishing;

public sealed class PublishingOptions
{
    /// <summary>Run the publisher in this process. Every node may: claims never overlap.</summary>
    [ConfigurationKeyName("PUBLISHER_ENABLED")]
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// A claim older than this belongs to a node that died mid-publish, and its delivery is reconciled by
    /// another. Longer than any publish takes (uploads included); shorter only for crash drills.
    /// </summary>
    [ConfigurationKeyName("PUBLISHER_CLAIM_LEASE_SECONDS"), System.ComponentModel.DataAnnotations.Range(1, 86_400)]
    public int ClaimLeaseSeconds { get; set; } = 300;

    public TimeSpan ClaimLease => TimeSpan.FromSeconds(ClaimLeaseSeconds);
}

/// <summary>The publisher's loop: publish what is due, then sleep until the next due time, a new post, or 5 seconds.</summary>
public sealed partial class PublisherService(Publisher publisher, TimeProvider time, IOptions<PublishingOptions> options, ILogger<PublisherService> logger)
    : BackgroundService
{
    // Posts queued on another node are noticed within this time; those queued here wake the loop at once.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await publisher.RunOnceAsync(stoppingToken) > 0)
                {
                    continue;
                }
                var next = await publisher.NextDueAsync(stoppingToken);
                var sleep = next is { } due ? due - time.GetUtcNow() : MaxSleep;
                await publisher.SleepAsync(sleep < MinSleep ? MinSleep : sleep > MaxSleep ? MaxSleep : sleep, stoppingToken);
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

    [LoggerMessage(LogLevel.Error, "The publisher's loop failed; retrying in 5 seconds")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);
}
