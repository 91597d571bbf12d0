using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Publishing;

public sealed class PublishingOptions
{
    // Run the publisher in this process. Every node may: claims never overlap.
    [ConfigurationKeyName("PUBLISHER_ENABLED")]
    public bool Enabled { get; set; } = true;

    // A claim older than this belongs to a node that died mid-publish, and its delivery is reconciled by
    // another. Longer than any publish takes (uploads included); shorter only for crash drills.
    [ConfigurationKeyName("PUBLISHER_CLAIM_LEASE_SECONDS"), System.ComponentModel.DataAnnotations.Range(1, 86_400)]
    public int ClaimLeaseSeconds { get; set; } = 300;

    public TimeSpan ClaimLease => TimeSpan.FromSeconds(ClaimLeaseSeconds);

    // How many accounts this node publishes for at once. Each account's posts still go one after another, in
    // due order, and the rate budgets are shared rows, so X's limits hold however many run. One by default:
    // a node killed between spending a budget and reaching X strands that unit until the window resets
    // (X's lower count is not trusted while others may be in flight), and with more at once a crash strands
    // more; the crash drill's 100 kills in five minutes stranded 24 posts' worth with 3 accounts at once.
    [ConfigurationKeyName("PUBLISHER_CONCURRENCY"), System.ComponentModel.DataAnnotations.Range(1, 64)]
    public int Concurrency { get; set; } = 1;

    // A post held while its channel needed reconnecting goes out by itself when the channel is back, unless it
    // is this late by then: a post that much past its time may no longer fit, so a person decides.
    [ConfigurationKeyName("PUBLISHER_ASK_IF_LATE_MINUTES"), System.ComponentModel.DataAnnotations.Range(0, 525_600)]
    public int AskIfLateMinutes { get; set; } = 360;

    public TimeSpan AskIfLateBy => TimeSpan.FromMinutes(AskIfLateMinutes);

    // How many megabytes of images a workspace may keep waiting to be published (drafts, scheduled, held and
    // failed posts). Each image is in the database until every channel of its post is done with it.
    [ConfigurationKeyName("WORKSPACE_MEDIA_QUOTA_MB"), System.ComponentModel.DataAnnotations.Range(1, 1_048_576)]
    public int WorkspaceMediaQuotaMegabytes { get; set; } = 1024;

    public long WorkspaceMediaQuotaBytes => WorkspaceMediaQuotaMegabytes * 1024L * 1024L;
}

// The publisher's loop: publish what is due, then sleep until the next due time, a new post, or 5 seconds.
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
