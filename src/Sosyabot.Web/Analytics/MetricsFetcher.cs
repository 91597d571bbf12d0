using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Analytics;

// Reads X's public metrics of published posts and stores them as snapshots. Bounded on purpose, because X bills
// every read on pay-per-use: only workspaces that turned metrics on, only posts of the last MetricsSchedule.MaxAge,
// less often as they age, up to 100 posts per request, and nothing for a channel while X's window (or our
// shared budget of it) is spent. One run at a time across every node.
public sealed partial class MetricsFetcher(
    SosyabotDbContext db,
    IDbContextFactory<SosyabotDbContext> contexts,
    ChannelTokens tokens,
    RateBudgets budgets,
    XClient x,
    IOptions<AnalyticsOptions> options,
    TimeProvider time,
    ILogger<MetricsFetcher> logger)
{
    public const string CookieChannelNote =
        "Metrics need an API connection: this channel is connected with browser cookies. Connect the account with X (OAuth) or with your own API keys " +
        "to see its metrics.";

    // Reads what is due in every workspace that has metrics on. Returns how many posts were read.
    public Task<int> FetchDueAsync(CancellationToken cancellationToken) => RunAsync(workspaceId: null, cancellationToken);

    // A person asked for fresh numbers now: every post of the workspace within MaxAge, whatever the schedule says.
    public Task<int> FetchNowAsync(Guid workspaceId, CancellationToken cancellationToken) => RunAsync(workspaceId, cancellationToken);

    // GET /2/tweets: 5,000 requests per 15 minutes per user, 3,500 per app (an app-only bearer), as X documents.
    public static RateWindow LookupWindow(Channel channel, XAuth auth, string appKey) =>
        channel.Kind == ChannelKind.ApiKeys && auth is XAuth.Bearer
            ? new($"tweet-lookup:app:{appKey}", 3_500, TimeSpan.FromMinutes(15), "X's limit of 3,500 post lookups per 15 minutes for this app")
            : new($"tweet-lookup:user:{channel.XUserId}", 5_000, TimeSpan.FromMinutes(15), "X's limit of 5,000 post lookups per 15 minutes for this account");

    private async Task<int> RunAsync(Guid? workspaceId, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled)
        {
            return 0;
        }
        // Two nodes reading the same posts at once would pay twice: the lock is held on its own connection for the run.
        await using var lockContext = await contexts.CreateDbContextAsync(cancellationToken);
        await using var lockTransaction = await lockContext.Database.BeginTransactionAsync(cancellationToken);
        var locked = await lockContext.Database
            .SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtextextended('analytics:metrics-fetch', 0)) AS \"Value\"")
            .SingleAsync(cancellationToken);
        if (!locked)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var since = now - MetricsSchedule.MaxAge;
        var candidates = await db.Deliveries.AsNoTracking()
            .Where(d => d.State == DeliveryStates.Published && d.PublishedAt >= since && d.TweetIds.Count > 0)
            .Where(d => workspaceId == null || d.WorkspaceId == workspaceId)
            .Where(d => db.WorkspaceAnalytics.Any(a => a.WorkspaceId == d.WorkspaceId && a.MetricsEnabled))
            .Select(d => new Candidate(d.Id, d.WorkspaceId, d.PostId, d.ChannelId, d.TweetIds[0], d.PublishedAt!.Value,
                db.MetricSnapshots.Where(s => s.DeliveryId == d.Id).Max(s => (DateTimeOffset?)s.FetchedAt)))
            .ToListAsync(cancellationToken);
        var due = workspaceId is null
            ? candidates.Where(c => MetricsSchedule.IsDue(c.PublishedAt, c.LastFetchedAt, now, options.Value.Interval)).ToList()
            : candidates;

        var read = 0;
        foreach (var group in due.GroupBy(c => c.ChannelId))
        {
            read += await FetchChannelAsync(group.Key, [.. group], now, cancellationToken);
        }
        return read;
    }

    private async Task<int> FetchChannelAsync(Guid channelId, List<Candidate> due, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId, cancellationToken);
        var usage = await db.ChannelMetricsUsage.SingleOrDefaultAsync(u => u.ChannelId == channelId, cancellationToken);
        if (usage is null)
        {
            usage = new ChannelMetricsUsage { ChannelId = channelId, WorkspaceId = channel.WorkspaceId };
            db.ChannelMetricsUsage.Add(usage);
        }
        if (usage.PausedUntil > now)
        {
            return 0;
        }
        usage.PausedUntil = null;

        var read = 0;
        try
        {
            if (channel.Kind == ChannelKind.Cookie)
            {
                usage.Note = CookieChannelNote;
                return 0;
            }
            var authorization = await tokens.AuthorizeAsync(channel, XCallContext.AppOnlyAllowed, "tweet.read", cancellationToken);
            var window = LookupWindow(channel, authorization.Auth, authorization.AppKey);
            var missing = new List<XLookupError>();
            foreach (var batch in due.Chunk(XClient.MaxTweetLookupIds))
            {
                var reservation = await budgets.TryReserveAsync([window], cancellationToken);
                if (!reservation.Granted)
                {
                    usage.PausedUntil = reservation.ResetAt;
                    usage.Note = $"Waiting for {window.Description} to reset at {reservation.ResetAt:yyyy-MM-dd HH:mm} UTC.";
                    return read;
                }
                XTweetMetricsLookup lookup;
                try
                {
                    usage.Requests++;
                    lookup = await x.GetTweetMetricsAsync(authorization.Auth, [.. batch.Select(c => c.TweetId).Distinct()], cancellationToken);
                }
                catch (XApiException ex) when (ex.Status == HttpStatusCode.TooManyRequests)
                {
                    // X's word on when the window resets; without it, a whole window, never a quick retry.
                    var resetAt = ex.RateLimits.Endpoint?.ResetAt ?? now + window.Length;
                    await budgets.ExhaustAsync(window, resetAt, cancellationToken);
                    usage.PausedUntil = resetAt;
                    usage.Note = $"X answered 429 Too Many Requests: {window.Description} is spent until {resetAt:yyyy-MM-dd HH:mm} UTC.";
                    LogRateLimited(logger, channelId, resetAt);
                    return read;
                }
                if (lookup.RateLimits.Endpoint is { } observed)
                {
                    await budgets.ObserveAsync(window, observed, cancellationToken);
                }
                var byTweet = lookup.Found.ToDictionary(f => f.TweetId);
                foreach (var candidate in batch)
                {
                    if (byTweet.TryGetValue(candidate.TweetId, out var found))
                    {
                        db.MetricSnapshots.Add(Snapshot(candidate, found.Metrics, now));
                        read++;
                    }
                }
                usage.PostsRead += lookup.Found.Count;
                missing.AddRange(lookup.Missing);
            }
            usage.LastFetchedAt = now;
            usage.Note = missing.Count == 0
                ? null
                : $"X did not return {missing.Count} post{(missing.Count == 1 ? "" : "s")} ({missing[0].Title}: {missing[0].Detail})." +
                  (missing.All(m => m.IsNotFound) ? " Posts deleted on X have no metrics." : "");
        }
        catch (ChannelNeedsReconnectException ex)
        {
            usage.Note = $"Metrics paused until the channel is reconnected: {ex.Message}";
        }
        catch (ChannelRefusedException ex)
        {
            usage.Note = $"Metrics cannot be read for this channel: {ex.Message}";
        }
        catch (XApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            var reason = ChannelGuidance.Unauthorized(channel.Kind, ex);
            await tokens.MarkNeedsReconnectAsync(channel.Id, reason, cancellationToken);
            usage.Note = $"Metrics paused until the channel is reconnected: {reason}";
        }
        catch (XApiException ex)
        {
            // Usage caps, outages and the like: tried again at the next due time, never in a loop.
            usage.Note = $"X refused the metrics read: {ex.Message}";
            LogReadFailed(logger, channelId, ex);
        }
        catch (HttpRequestException ex)
        {
            usage.Note = $"X could not be reached to read metrics ({ex.Message}); tried again at the next interval.";
            LogReadFailed(logger, channelId, ex);
        }
        finally
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return read;
    }

    private static MetricSnapshot Snapshot(Candidate candidate, XPublicMetrics metrics, DateTimeOffset now) => new()
    {
        WorkspaceId = candidate.WorkspaceId,
        PostId = candidate.PostId,
        DeliveryId = candidate.DeliveryId,
        ChannelId = candidate.ChannelId,
        TweetId = candidate.TweetId,
        FetchedAt = now,
        Impressions = metrics.ImpressionCount,
        Likes = metrics.LikeCount,
        Reposts = metrics.RetweetCount,
        Replies = metrics.ReplyCount,
        Quotes = metrics.QuoteCount,
        Bookmarks = metrics.BookmarkCount,
    };

    // A delivery's first tweet stands for the post: a thread's later parts are replies to it.
    private sealed record Candidate(
        Guid DeliveryId, Guid WorkspaceId, Guid PostId, Guid ChannelId, string TweetId, DateTimeOffset PublishedAt, DateTimeOffset? LastFetchedAt);

    [LoggerMessage(LogLevel.Warning, "Metrics reads for channel {ChannelId} hit X's rate limit; paused until {ResetAt}")]
    private static partial void LogRateLimited(ILogger logger, Guid channelId, DateTimeOffset resetAt);

    [LoggerMessage(LogLevel.Warning, "Reading metrics for channel {ChannelId} failed")]
    private static partial void LogReadFailed(ILogger logger, Guid channelId, Exception ex);
}
