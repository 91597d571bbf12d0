using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Publishing;

public sealed class PublishingOptions
{
    // Run the publisher in this process. Every node may: claims never overlap.
    [ConfigurationKeyName("PUBLISHER_ENABLED")]
    public bool Enabled { get; set; } = true;

    // A claim older than this belongs to a node that died mid-publish, and its delivery is reconciled by
    // another. Longer than any publish takes (uploads included); shorter only for crash drills. The sender renews
    // its claim before each POST once a quarter of the lease has passed, and a POST to X may take up to the X
    // client's 30-second limit: a lease under about 45 s lets a slow POST outlive the claim, and the node that takes
    // over may then find nothing on X yet and send the part again.
    [ConfigurationKeyName("PUBLISHER_CLAIM_LEASE_SECONDS"), System.ComponentModel.DataAnnotations.Range(1, 86_400)]
    public int ClaimLeaseSeconds { get; set; } = 300;

    public TimeSpan ClaimLease => TimeSpan.FromSeconds(ClaimLeaseSeconds);

    // How many accounts this node publishes for at once. Each account's posts still go one after another, in due
    // order (a channel's lease), and the rate budgets are shared rows with in-flight reservations, so X's limits hold
    // however many run. X answers a post in some hundreds of milliseconds: 1,000 accounts due at one second take
    // 1,000 x 0.3 s / 32 = 9.4 s at 32 at once. A send holds a database connection only while it talks to the
    // database, not while X answers; but on a busy machine most sends are in the database at once, and 64 per node
    // took two nodes past PostgreSQL's 100 connections ("too many clients") in the benchmark. 32 leaves room for
    // a second node and for requests; raise it with max_connections. A node killed mid-send strands nothing: its
    // claims, its leases and its budget reservations lapse with the claim lease.
    [ConfigurationKeyName("PUBLISHER_CONCURRENCY"), System.ComponentModel.DataAnnotations.Range(1, 256)]
    public int Concurrency { get; set; } = DefaultConcurrency;

    public const int DefaultConcurrency = 32;

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

// The publisher's loop (Publisher.RunAsync) as a hosted service, on every node that has it enabled.
public sealed class PublisherService(Publisher publisher, IOptions<PublishingOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        try
        {
            await publisher.RunAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
