using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using Sosyabot.Web.Data;
using Sosyabot.Web.Notifications;

namespace Sosyabot.Web.Publishing;

// Sends due deliveries to X. Any number of nodes run it over the same table: a node leases the channels it
// publishes for, claims their due deliveries with FOR UPDATE SKIP LOCKED and marks them publishing
// before X is called; DeliverySender then sends each one at most once.
[SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim holds nothing to dispose until its AvailableWaitHandle is used; _wake's never is.")]
public sealed partial class Publisher(
    IServiceScopeFactory scopes,
    IDbContextFactory<SosyabotDbContext> contexts,
    TimeProvider time,
    IOptions<PublishingOptions> options,
    ILogger<Publisher> logger)
{
    // How many due deliveries of one channel a claim takes; the channel's lease is given back after them.
    public const int BatchSize = 20;

    // How many of the earliest due deliveries one claim looks at (at least) to choose the channels it leases.
    private const int ScanSize = 100;

    // A claim older than this belongs to a node that died mid-publish; the delivery is reconciled.
    public TimeSpan ClaimLease => options.Value.ClaimLease;

    // Who holds a claim, for people reading the table; claims are judged by time, not by this.
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}" is var id && id.Length > 100 ? id[..100] : id;

    private readonly SemaphoreSlim _wake = new(0, 1);

    // The channels this node is publishing for right now. Its lease on a channel keeps the loop off it; but should a
    // send outlive the lease (a POST slower than a short lease, a long pause), the node must still not start on the
    // channel a second time: it would send the post in flight again, or the next one before it.
    private readonly ConcurrentDictionary<Guid, byte> _publishing = new();

    // When the loop sleeps, the time it will wake by itself (UTC ticks); long.MaxValue while it works.
    private long _sleepingUntilTicks = long.MaxValue;

    // Something due at dueAt was queued in this process: stop sleeping if the loop would
    // otherwise wake later than that. Other nodes pick it up on their next poll.
    public void Wake(DateTimeOffset dueAt)
    {
        if (dueAt.UtcTicks >= Volatile.Read(ref _sleepingUntilTicks) || _wake.CurrentCount > 0)
        {
            return;
        }
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another caller woke it a moment ago; once is enough.
        }
    }

    // Sleeps for delay, or until Wake, or until alsoWakeOn completes.
    public async Task SleepAsync(TimeSpan delay, Task? alsoWakeOn, CancellationToken cancellationToken)
    {
        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _sleepingUntilTicks, (time.GetUtcNow() + delay).UtcTicks);
        try
        {
            var timer = Task.Delay(delay, time, sleeping.Token);
            var woken = _wake.WaitAsync(sleeping.Token);
            await Task.WhenAny(alsoWakeOn is null ? [timer, woken] : [timer, woken, alsoWakeOn]);
            await sleeping.CancelAsync();
            await Task.WhenAll(timer, woken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            Volatile.Write(ref _sleepingUntilTicks, long.MaxValue);
        }
    }

    // Claims what is due for as many channels as this node publishes for at once, and publishes all of it before it
    // returns how many deliveries it handled. Tests drive the publisher with it; the service runs RunAsync.
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var (leased, claimed) = await ClaimAsync(options.Value.Concurrency, cancellationToken);
        await Task.WhenAll(StartChannels(leased, claimed, cancellationToken));
        return claimed.Count;
    }

    // The service's loop. Up to PUBLISHER_CONCURRENCY channels are published for at once, each in a task of its own;
    // a channel that finishes frees its slot for the next due one at once, so X's answers, not rounds of the loop,
    // set the pace of a burst. Between bursts it sleeps until the next due time, a post queued here, or MaxSleep.
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var active = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                active.RemoveAll(t => t.IsCompleted);
                var free = options.Value.Concurrency - active.Count;
                var claimed = 0;
                TimeSpan sleep;
                try
                {
                    if (free > 0)
                    {
                        var (leased, deliveries) = await ClaimAsync(free, stoppingToken);
                        active.AddRange(StartChannels(leased, deliveries, stoppingToken));
                        claimed = deliveries.Count;
                    }
                    if (claimed > 0 && active.Count < options.Value.Concurrency)
                    {
                        // More may be due right now: claim again before sleeping.
                        continue;
                    }
                    var next = free > 0 && claimed == 0 ? await NextDueAsync(stoppingToken) : null;
                    sleep = next is { } due ? due - time.GetUtcNow() : MaxSleep;
                    sleep = sleep < MinSleep ? MinSleep : sleep > MaxSleep ? MaxSleep : sleep;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // The database went away, say: keep the loop alive and try again shortly.
                    LogLoopFailed(logger, ex);
                    sleep = MaxSleep;
                }
                // A channel finishing frees a slot: claim again then, whatever the sleep.
                await SleepAsync(sleep, active.Count > 0 ? Task.WhenAny(active) : null, stoppingToken);
            }
        }
        finally
        {
            // Stopping: channels in flight finish their part in flight and give back what they had not begun.
            await Task.WhenAll(active).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // Posts queued on another node are noticed within MaxSleep; those queued here wake the loop at once.
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MinSleep = TimeSpan.FromMilliseconds(250);

    // One task per leased channel, publishing its claimed deliveries one after another in (due_at, id) order.
    private List<Task> StartChannels(List<Guid> leased, List<ClaimedDelivery> claimed, CancellationToken cancellationToken)
    {
        var byChannel = claimed.GroupBy(d => d.ChannelId, d => d.Id).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var channelId in leased)
        {
            _publishing[channelId] = 0;
        }
        return [.. leased.Select(channelId => Task.Run(
            () => PublishChannelAsync(channelId, byChannel.GetValueOrDefault(channelId) ?? [], cancellationToken), CancellationToken.None))];
    }

    private async Task PublishChannelAsync(Guid channelId, List<Guid> deliveryIds, CancellationToken cancellationToken)
    {
        var started = 0;
        try
        {
            foreach (var deliveryId in deliveryIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                started++;
                // A sender per delivery, in a scope of its own: its context, tokens and budgets are not shared
                // with the accounts sent in parallel.
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await scope.ServiceProvider.GetRequiredService<DeliverySender>().SendAsync(deliveryId, this, cancellationToken);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    LogAttemptCrashed(logger, deliveryId, ex);
                    await CountCrashAsync(deliveryId, ex);
                }
            }
        }
        finally
        {
            try
            {
                if (started < deliveryIds.Count)
                {
                    await ReleaseUnstartedAsync(deliveryIds[started..]);
                }
                await ReleaseLeaseAsync(channelId);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                // The database is away: the claims and the lease lapse by themselves.
                LogReleaseFailed(logger, channelId, ex);
            }
            finally
            {
                _publishing.TryRemove(channelId, out _);
            }
        }
    }

    // When the next delivery is due, to sleep until then rather than poll.
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await NextDueQuery(db).SingleAsync(cancellationToken);
    }

    // One minimum per state, each read off the (state, due_at) index. Ordering both states together made
    // PostgreSQL sort the whole queue: 0.3 s with a million posts queued, on every turn of the loop.
    // The benchmark EXPLAINs this very query.
    internal static IQueryable<DateTimeOffset?> NextDueQuery(SosyabotDbContext db) => db.Database.SqlQuery<DateTimeOffset?>($"""
        SELECT LEAST(
            (SELECT min(due_at) FROM deliveries WHERE state = {DeliveryStates.Queued}),
            (SELECT min(due_at) FROM deliveries WHERE state = {DeliveryStates.WaitingForRateLimit})) AS "Value"
        """);

    // SqlQuery reads it through the snake_case naming convention: the SQL returns snake_case columns.
    internal sealed record ClaimedDelivery(Guid Id, Guid ChannelId);

    // Claimable: due or retrying; abandoned by a node that died mid-send; or held for a channel that has been connected
    // again since. Each state's condition is written apart so that the lease's scan can read each state off the
    // (state, due_at, id) index in order.
    private const string DueNow = "d.due_at <= @now";
    private const string ClaimLapsed = "d.claimed_at < @stale_before";
    private const string ChannelBack = """
        d.due_at <= @now AND EXISTS (
            SELECT 1 FROM channels c WHERE c.id = d.channel_id AND c.state = 'active' AND (c.connected_at > d.held_at
                -- A cookie channel's post held for the cookie path (turned off, an outdated query id) goes once an
                -- admin has saved the path's settings, on, since it was held.
                OR (c.kind = 'Cookie' AND EXISTS (SELECT 1 FROM options o
                    WHERE o.key = 'x-twitter_web_path' AND o.value = 'enabled' AND o.updated_at > d.held_at))))
        """;

    private const string Claimable = $"""
        ((d.state IN ('queued', 'waiting_for_rate_limit') AND {DueNow})
         OR (d.state = 'publishing' AND {ClaimLapsed})
         OR (d.state = 'held' AND {ChannelBack}))
        """;

    // The earliest @scan claimable deliveries of one state whose channel nobody is publishing for (another node, or a
    // task of this one: @publishing, even past its lease), so that one account's backlog does not fill the scan while other accounts' posts are due.
    // Read in index order and stopped at @scan: with twenty thousand posts due at once (a backlog waiting for X's
    // window), sorting all of them took 24 ms per lease, and PostgreSQL's JIT another 30.
    private static string FirstOfState(string state, string claimable) => $"""
        SELECT d.channel_id, d.due_at, d.id FROM deliveries d
        WHERE d.state = '{state}' AND {claimable}
          AND NOT EXISTS (SELECT 1 FROM publishing_leases l WHERE l.channel_id = d.channel_id AND l.held_until > @now)
          AND d.channel_id <> ALL(@publishing)
        ORDER BY d.due_at, d.id
        LIMIT @scan
        """;

    // Leases up to @channels channels of the earliest due deliveries that nobody holds (or whose holder's lease
    // lapsed), earliest first.
    private static readonly string LeaseSql = $"""
        WITH due AS (
            SELECT channel_id FROM (
                SELECT channel_id, due_at, id FROM (
                    ({FirstOfState("queued", DueNow)})
                    UNION ALL ({FirstOfState("waiting_for_rate_limit", DueNow)})
                    UNION ALL ({FirstOfState("publishing", ClaimLapsed)})
                    UNION ALL ({FirstOfState("held", ChannelBack)})) of_each_state
                ORDER BY due_at, id
                LIMIT @scan) first_due
            GROUP BY channel_id
            -- channel_id breaks ties (a burst is due at one second): nodes insert overlapping leases in one order, so
            -- they never deadlock on them.
            ORDER BY min(due_at), channel_id
            LIMIT @channels)
        INSERT INTO publishing_leases (channel_id, held_by, held_until)
        SELECT channel_id, @node, @lease_until FROM due
        ON CONFLICT (channel_id) DO UPDATE SET held_by = EXCLUDED.held_by, held_until = EXCLUDED.held_until
        WHERE publishing_leases.held_until <= @now
        RETURNING channel_id AS "Value"
        """;

    // Claims up to BatchSize due deliveries of each leased channel, returned in (due_at, id) order. The rows are chosen
    // and locked once, in a materialized CTE: in "UPDATE ... WHERE id IN (subquery)" PostgreSQL may run the subquery
    // again for every row it updates (a semi-join, chosen on statistics of a nearly empty table), and each run skipped
    // the rows already updated, so the LIMIT slid on to later posts while earlier ones waited for the next claim.
    private const string ClaimSql = $"""
        WITH first_due AS MATERIALIZED (
            SELECT due.id FROM unnest(@leased) AS leased(channel_id)
            CROSS JOIN LATERAL (
                SELECT d.id FROM deliveries d
                WHERE d.channel_id = leased.channel_id AND {Claimable}
                ORDER BY d.due_at, d.id
                LIMIT @batch
                FOR UPDATE SKIP LOCKED) due),
        claimed AS (
            UPDATE deliveries d SET state = 'publishing', claimed_at = @now, claimed_by = @node
            FROM first_due WHERE d.id = first_due.id
            RETURNING d.id, d.channel_id, d.due_at)
        SELECT id, channel_id FROM claimed ORDER BY due_at, id
        """;

    // Leases the channels with due work that no other node is publishing for, then claims their due deliveries
    // in (due_at, id) order. The lease is what keeps one account's posts in order across nodes: a claim alone
    // would let two nodes send one account's consecutive posts at the same time.
    private async Task<(List<Guid> Leased, List<ClaimedDelivery> Claimed)> ClaimAsync(int channels, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var leased = await LeaseQuery(db, now, ClaimLease, NodeId, channels, [.. _publishing.Keys]).ToListAsync(cancellationToken);
        var claimed = leased.Count == 0
            ? []
            : await ClaimQuery(db, now, ClaimLease, NodeId, leased).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (leased, claimed);
    }

    // The two statements ClaimAsync sends, with their parameters, as queries: the benchmark EXPLAINs these very
    // commands (CreateDbCommand), so the plan it reports is the one of the SQL the publisher runs.
    internal static IQueryable<Guid> LeaseQuery(
        SosyabotDbContext db, DateTimeOffset now, TimeSpan claimLease, string node, int channels, Guid[] publishing) =>
        db.Database.SqlQueryRaw<Guid>(LeaseSql, [.. ClaimParameters(now, claimLease, node, null),
            new NpgsqlParameter("channels", channels), new NpgsqlParameter("scan", Math.Max(ScanSize, 2 * channels)),
            new NpgsqlParameter("publishing", publishing)]);

    internal static IQueryable<ClaimedDelivery> ClaimQuery(
        SosyabotDbContext db, DateTimeOffset now, TimeSpan claimLease, string node, IReadOnlyList<Guid> leased) =>
        db.Database.SqlQueryRaw<ClaimedDelivery>(ClaimSql, ClaimParameters(now, claimLease, node, leased));

    // The parameters of LeaseSql (no leased) and ClaimSql.
    private static NpgsqlParameter[] ClaimParameters(DateTimeOffset now, TimeSpan claimLease, string node, IReadOnlyList<Guid>? leased) =>
    [
        new("now", now),
        new("stale_before", now - claimLease),
        new("node", node),
        .. leased is null
            ? new NpgsqlParameter[] { new("lease_until", now + claimLease) }
            : [new("leased", leased.ToArray()), new("batch", BatchSize)],
    ];

    // A send that failed in a way nobody foresaw is an attempt like a 5xx: retried a minute later, failed for a
    // person to see after the last one, instead of sitting in 'publishing' to be reclaimed forever.
    private async Task CountCrashAsync(Guid deliveryId, Exception exception)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        var retryAt = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        var retrying = $"Sosyabot could not send it ({exception.GetType().Name}); trying again at {retryAt.UtcDateTime:HH:mm:ss} UTC.";
        var failed = $"Sosyabot could not send it ({exception.GetType().Name}) after {DeliverySender.MaxAttempts} attempts. " +
            "Retry it, or reconnect the channel if this keeps happening.";
        var counted = await db.Deliveries
            .Where(d => d.Id == deliveryId && d.State == DeliveryStates.Publishing && d.ClaimedBy == NodeId)
            .ExecuteUpdateAsync(update => update
                .SetProperty(d => d.Attempts, d => d.Attempts + 1)
                .SetProperty(d => d.State, d => d.Attempts + 1 >= DeliverySender.MaxAttempts ? DeliveryStates.Failed : DeliveryStates.Queued)
                .SetProperty(d => d.Reason, d => d.Attempts + 1 >= DeliverySender.MaxAttempts ? failed : retrying)
                .SetProperty(d => d.DueAt, retryAt), CancellationToken.None);
        // The last attempt is a failure like any other: the workspace hears of it.
        var failedNow = counted == 0 ? null : await db.Deliveries.AsNoTracking().Include(d => d.Post).Include(d => d.Channel)
            .SingleOrDefaultAsync(d => d.Id == deliveryId && d.State == DeliveryStates.Failed, CancellationToken.None);
        if (failedNow is not null)
        {
            await scope.ServiceProvider.GetRequiredService<IWorkspaceEvents>()
                .RecordAsync(DeliverySender.FailedEvent(failedNow, failed, scope.ServiceProvider.GetRequiredService<LinkGenerator>()), CancellationToken.None);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }

    // Shutting down: what was claimed but not begun goes back to the queue now, not after the lease.
    private async Task ReleaseUnstartedAsync(List<Guid> deliveryIds)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.Deliveries
            .Where(d => deliveryIds.Contains(d.Id) && d.State == DeliveryStates.Publishing && d.ClaimedBy == NodeId && d.SendingPart == null)
            .ExecuteUpdateAsync(update => update
                .SetProperty(d => d.State, d => d.HeldAt == null ? DeliveryStates.Queued : DeliveryStates.Held)
                .SetProperty(d => d.ClaimedBy, (string?)null)
                .SetProperty(d => d.ClaimedAt, (DateTimeOffset?)null), CancellationToken.None);
    }

    private async Task ReleaseLeaseAsync(Guid channelId)
    {
        await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
        await db.PublishingLeases.Where(l => l.ChannelId == channelId && l.HeldBy == NodeId).ExecuteDeleteAsync(CancellationToken.None);
    }

    [LoggerMessage(LogLevel.Error, "The publisher's loop failed; retrying in 5 seconds")]
    private static partial void LogLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Could not give back the claims and lease of channel {ChannelId}; they lapse with the claim lease")]
    private static partial void LogReleaseFailed(ILogger logger, Guid channelId, Exception exception);

    [LoggerMessage(LogLevel.Error, "Publishing delivery {DeliveryId} failed unexpectedly; it is reconciled when its claim lapses")]
    private static partial void LogAttemptCrashed(ILogger logger, Guid deliveryId, Exception exception);
}
