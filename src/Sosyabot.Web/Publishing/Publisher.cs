using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

/// <summary>
/// Sends due deliveries to X. Any number of nodes run it over the same table: a delivery is claimed with
/// FOR UPDATE SKIP LOCKED and marked <c>publishing</c> before X is called, each part's tweet id is stored
/// as soon as X returns it, and a part whose answer was lost is looked for among the account's recent
/// posts before it is sent again. So a delivery goes out at most once, and none is dropped.
/// </summary>
public sealed partial class Publisher(IServiceScopeFactory scopes, TimeProvider time, IOptions<PublishingOptions> options, ILogger<Publisher> logger)
{
    public const int MaxAttempts = 6;
    public const int BatchSize = 20;

    /// <summary>A claim older than this belongs to a node that died mid-publish; the delivery is reconciled.</summary>
    public TimeSpan ClaimLease => options.Value.ClaimLease;

    /// <summary>Who holds a claim, for people reading the table; claims are judged by time, not by this.</summary>
    public string NodeId { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}" is var id && id.Length > 100 ? id[..100] : id;

    private readonly SemaphoreSlim _wake = new(0, 1);

    // When the loop sleeps, the time it will wake by itself (UTC ticks); long.MaxValue while it works.
    private long _sleepingUntilTicks = long.MaxValue;

    /// <summary>
    /// Something due at <paramref name="dueAt"/> was queued in this process: stop sleeping if the loop would
    /// otherwise wake later than that. Other nodes pick it up on their next poll.
    /// </summary>
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

    /// <summary>Sleeps until <paramref name="delay"/> has passed or <see cref="Wake"/> is called.</summary>
    public async Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var sleeping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Volatile.Write(ref _sleepingUntilTicks, (time.GetUtcNow() + delay).UtcTicks);
        try
        {
            var timer = Task.Delay(delay, time, sleeping.Token);
            var woken = _wake.WaitAsync(sleeping.Token);
            await Task.WhenAny(timer, woken);
            await sleeping.CancelAsync();
            await Task.WhenAll(timer, woken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        finally
        {
            Volatile.Write(ref _sleepingUntilTicks, long.MaxValue);
        }
    }

    /// <summary>Claims what is due and publishes it; returns how many deliveries it handled.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(cancellationToken);
        // Accounts in parallel (X's latency, not our CPU, is what a post waits on); one account's posts in due order.
        // UPDATE ... RETURNING gives rows in no particular order: sort them back into due order here.
        var byAccount = claimed.OrderBy(d => d.DueAt).GroupBy(d => d.ChannelId, d => d.Id);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Value.Concurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(byAccount, parallel, async (deliveries, token) =>
        {
            foreach (var deliveryId in deliveries)
            {
                await using var scope = scopes.CreateAsyncScope();
                try
                {
                    await new DeliveryAttempt(scope.ServiceProvider, deliveryId, time, logger).RunAsync(token);
                }
                catch (Exception ex) when (!token.IsCancellationRequested)
                {
                    // Left in 'publishing': when the claim lapses the delivery is reconciled like after a crash.
                    LogAttemptCrashed(logger, deliveryId, ex);
                }
            }
        });
        return claimed.Count;
    }

    /// <summary>When the next delivery is due, to sleep until then rather than poll.</summary>
    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        // One minimum per state, each read off the (state, due_at) index. Ordering both states together made
        // PostgreSQL sort the whole queue: 0.3 s with a million posts queued, on every turn of the loop.
        return await db.Database.SqlQuery<DateTimeOffset?>($"""
            SELECT LEAST(
                (SELECT min(due_at) FROM deliveries WHERE state = {DeliveryStates.Queued}),
                (SELECT min(due_at) FROM deliveries WHERE state = {DeliveryStates.WaitingForRateLimit})) AS "Value"
            """).SingleAsync(cancellationToken);
    }

    private sealed record ClaimedDelivery(Guid Id, Guid ChannelId, DateTimeOffset DueAt);

    private async Task<List<ClaimedDelivery>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var now = time.GetUtcNow();
        var staleBefore = now - ClaimLease;
        return await db.Database.SqlQuery<ClaimedDelivery>($"""
            UPDATE deliveries SET state = 'publishing', claimed_at = {now}, claimed_by = {NodeId}, attempts = attempts + 1
            WHERE id IN (
                SELECT id FROM deliveries
                WHERE (state IN ('queued', 'waiting_for_rate_limit') AND due_at <= {now})
                   OR (state = 'publishing' AND claimed_at < {staleBefore})
                ORDER BY due_at
                LIMIT {BatchSize}
                FOR UPDATE SKIP LOCKED)
            RETURNING id AS "Id", channel_id AS "ChannelId", due_at AS "DueAt"
            """).ToListAsync(cancellationToken);
    }

    /// <summary>One claimed delivery, from its first unsent part to its last.</summary>
    private sealed class DeliveryAttempt(IServiceProvider services, Guid deliveryId, TimeProvider time, ILogger logger)
    {
        private readonly SosyabotDbContext _db = services.GetRequiredService<SosyabotDbContext>();
        private readonly XClient _x = services.GetRequiredService<XClient>();
        private readonly RateBudgets _budgets = services.GetRequiredService<RateBudgets>();
        private readonly ChannelTokens _tokens = services.GetRequiredService<ChannelTokens>();
        private Delivery _delivery = null!;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            _delivery = await _db.Deliveries
                .Include(d => d.Post).ThenInclude(p => p.Media.OrderBy(m => m.Position))
                .Include(d => d.Channel)
                .AsSplitQuery()
                .SingleAsync(d => d.Id == deliveryId, cancellationToken);
            var channel = _delivery.Channel;
            ChannelAuthorization authorization;
            try
            {
                authorization = await _tokens.AuthorizeAsync(channel, XCallContext.UserRequired, "tweet.write", cancellationToken);
            }
            catch (ChannelNeedsReconnectException ex)
            {
                await FailAsync($"@{channel.Handle} needs reconnecting before it can publish: {ex.Message}", cancellationToken);
                return;
            }
            catch (ChannelRefusedException ex)
            {
                await FailAsync(ex.Message, cancellationToken);
                return;
            }
            var auth = authorization.Auth;
            var windows = RateBudgets.ForTweets(channel.XUserId, authorization.AppKey).Append(RateBudgets.UserDay(channel.XUserId)).ToList();
            var parts = _delivery.Post.Parts;

            // A part whose answer never came back may be on X already: look before sending it again.
            var resending = _delivery.SendingPart is not null;
            if (resending && await FindSentPartAsync(auth, cancellationToken) is { } alreadySent)
            {
                await RecordSentAsync(alreadySent, cancellationToken);
                resending = false;
            }

            while (_delivery.TweetIds.Count < parts.Count)
            {
                var part = _delivery.TweetIds.Count;
                var reservation = await _budgets.TryReserveAsync(windows, cancellationToken);
                if (!reservation.Granted)
                {
                    await WaitAsync(reservation.ResetAt!.Value, reservation.Exhausted!.Description, cancellationToken);
                    return;
                }

                try
                {
                    var mediaIds = part == 0 ? await UploadMediaAsync(auth, cancellationToken) : null;
                    _delivery.SendingPart = part;
                    _delivery.SendingSince = time.GetUtcNow();
                    await _db.SaveChangesAsync(cancellationToken);
                    var post = _delivery.Post;
                    var created = await _x.CreateTweetAsync(auth, new XTweetDraft(
                        parts[part],
                        InReplyToTweetId: part == 0 ? post.InReplyToTweetId : _delivery.TweetIds[part - 1],
                        QuoteTweetId: part == 0 ? post.QuoteTweetId : null,
                        MediaIds: mediaIds), cancellationToken);
                    await ObserveAsync(windows, created.RateLimits, cancellationToken);
                    await RecordSentAsync(created.Id, cancellationToken);
                    resending = false;
                }
                catch (XApiException ex)
                {
                    await ObserveAsync(windows, ex.RateLimits, cancellationToken);
                    if (!await HandleRefusalAsync(ex, windows, resending, auth, cancellationToken))
                    {
                        return;
                    }
                    resending = false;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException or System.Text.Json.JsonException
                                               or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                           && !cancellationToken.IsCancellationRequested)
                {
                    // The answer was lost: X may or may not have the post. SendingPart stays set, so the
                    // next attempt looks for it among the account's posts before sending again.
                    await RetryLaterAsync($"X's answer was lost ({ex.GetType().Name}); checking whether the post went out before trying again", cancellationToken);
                    return;
                }
            }

            _delivery.State = DeliveryStates.Published;
            _delivery.PublishedAt = time.GetUtcNow();
            _delivery.Reason = null;
            await _db.SaveChangesAsync(cancellationToken);
            LogPublished(logger, _delivery.Id, _delivery.TweetIds[0]);
        }

        /// <summary>Deals with an error answer; true when the part turned out to be on X after all.</summary>
        private async Task<bool> HandleRefusalAsync(XApiException ex, List<RateWindow> windows, bool resending, XAuth auth, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            switch (ex.Status)
            {
                case HttpStatusCode.TooManyRequests when ex.IsUsageCapped:
                    var capReset = ex.RateLimits.Endpoint?.ResetAt ?? ex.RateLimits.AppDay?.ResetAt ?? now.AddHours(24);
                    _delivery.SendingPart = null;
                    await WaitAsync(capReset, $"X's monthly usage cap for this app or account ({ex.Description ?? "usage capped"})", cancellationToken);
                    return false;
                case HttpStatusCode.TooManyRequests:
                    var (window, resetAt) = ExhaustedWindow(ex.RateLimits, windows, now);
                    await _budgets.ExhaustAsync(window, resetAt, cancellationToken);
                    _delivery.SendingPart = null;
                    await WaitAsync(resetAt, window.Description, cancellationToken);
                    return false;
                case HttpStatusCode.Forbidden when ex.IsDuplicateContent && resending:
                    // Our own earlier send got through and its answer was lost: find its id and carry on.
                    if (await FindSentPartAsync(auth, cancellationToken) is { } id)
                    {
                        await RecordSentAsync(id, cancellationToken);
                        return true;
                    }
                    await FailAsync("X says this post is a duplicate of one already on the account, so it was published earlier; its id could not be found.", cancellationToken);
                    return false;
                case HttpStatusCode.Forbidden when ex.IsDuplicateContent:
                    await FailAsync("X refused it as duplicate content: the account already posted this exact text. Change the text and post again.", cancellationToken);
                    return false;
                case HttpStatusCode.Forbidden:
                    await FailAsync(ChannelGuidance.ForbiddenWrite(ex), cancellationToken);
                    return false;
                case HttpStatusCode.Unauthorized:
                    var reason = ChannelGuidance.Unauthorized(_delivery.Channel.Kind, ex);
                    await _tokens.MarkNeedsReconnectAsync(_delivery.ChannelId, reason, cancellationToken);
                    await FailAsync(reason, cancellationToken);
                    return false;
                case >= HttpStatusCode.InternalServerError:
                    // X may have created the post before failing: keep SendingPart so the retry reconciles.
                    await RetryLaterAsync($"X had a problem ({(int)ex.Status}{(ex.Description is null ? "" : ": " + ex.Description)})", cancellationToken);
                    return false;
                default:
                    await FailAsync($"X refused the post ({(int)ex.Status} {ex.Error}: {ex.Description}).", cancellationToken);
                    return false;
            }
        }

        /// <summary>
        /// Uploads the post's images that this delivery has not uploaded yet, storing each media id as X
        /// returns it, so a retry reuses what is already on X (until X forgets it).
        /// </summary>
        private async Task<IReadOnlyList<string>?> UploadMediaAsync(XAuth auth, CancellationToken cancellationToken)
        {
            var media = _delivery.Post.Media;
            if (media.Count == 0)
            {
                return null;
            }
            if (_delivery.XMediaExpireAt is { } expireAt && expireAt <= time.GetUtcNow() + TimeSpan.FromMinutes(5))
            {
                _delivery.XMediaIds = [];
                _delivery.XMediaExpireAt = null;
            }
            while (_delivery.XMediaIds.Count < media.Count)
            {
                var next = media[_delivery.XMediaIds.Count];
                var uploaded = await _x.UploadMediaAsync(auth, next.Bytes, next.ContentType, next.AltText, cancellationToken);
                _delivery.XMediaIds = [.. _delivery.XMediaIds, uploaded.MediaId];
                _delivery.XMediaExpireAt = _delivery.XMediaExpireAt is { } earliest && earliest < uploaded.ExpiresAt ? earliest : uploaded.ExpiresAt;
                await _db.SaveChangesAsync(cancellationToken);
            }
            return _delivery.XMediaIds;
        }

        private async Task<string?> FindSentPartAsync(XAuth auth, CancellationToken cancellationToken)
        {
            var part = _delivery.SendingPart!.Value;
            var since = (_delivery.SendingSince ?? _delivery.Post.CreatedAt) - TimeSpan.FromMinutes(1);
            var text = _delivery.Post.Parts[part];
            try
            {
                var recent = await _x.GetRecentTweetsAsync(auth, _delivery.Channel.XUserId, since, cancellationToken);
                return recent.FirstOrDefault(t => SentTextMatch.IsSameText(text, t))?.Id;
            }
            catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogReconcileLookupFailed(logger, _delivery.Id, ex.Message);
                return null;
            }
        }

        private async Task RecordSentAsync(string tweetId, CancellationToken cancellationToken)
        {
            _delivery.TweetIds = [.. _delivery.TweetIds, tweetId];
            _delivery.SendingPart = null;
            _delivery.SendingSince = null;
            await _db.SaveChangesAsync(cancellationToken);
        }

        private async Task ObserveAsync(List<RateWindow> windows, XRateLimits limits, CancellationToken cancellationToken)
        {
            if (limits.Endpoint is { } endpoint)
            {
                await _budgets.ObserveAsync(windows[0], endpoint, cancellationToken);
            }
            if (limits.AppDay is { } appDay)
            {
                await _budgets.ObserveAsync(windows[1], appDay, cancellationToken);
            }
            if (limits.UserDay is { } userDay)
            {
                await _budgets.ObserveAsync(windows[2], userDay, cancellationToken);
            }
        }

        private static (RateWindow Window, DateTimeOffset ResetAt) ExhaustedWindow(XRateLimits limits, List<RateWindow> windows, DateTimeOffset now) =>
            limits.AppDay is { Remaining: 0 } appDay ? (windows[1], appDay.ResetAt)
            : limits.UserDay is { Remaining: 0 } userDay ? (windows[2], userDay.ResetAt)
            // Without a reset header, wait out one whole 15-minute window.
            : (windows[0], limits.Endpoint?.ResetAt ?? now + windows[0].Length);

        private async Task WaitAsync(DateTimeOffset until, string why, CancellationToken cancellationToken)
        {
            _delivery.State = DeliveryStates.WaitingForRateLimit;
            _delivery.DueAt = until;
            _delivery.Reason = $"Waiting for {why}; it goes at {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.";
            await _db.SaveChangesAsync(cancellationToken);
        }

        private async Task RetryLaterAsync(string why, CancellationToken cancellationToken)
        {
            if (_delivery.Attempts >= MaxAttempts)
            {
                await FailAsync($"{why}. Gave up after {MaxAttempts} attempts.", cancellationToken);
                return;
            }
            // Exponential backoff with full jitter: 30 s, 1 min, 2 min, ... spread so that nodes do not retry in step.
            var ceiling = TimeSpan.FromSeconds(30 * Math.Pow(2, _delivery.Attempts - 1));
            var delay = TimeSpan.FromSeconds(5) + ceiling * Random.Shared.NextDouble();
            _delivery.State = DeliveryStates.Queued;
            _delivery.DueAt = time.GetUtcNow() + delay;
            _delivery.Reason = $"{why}; retrying at {_delivery.DueAt.UtcDateTime:HH:mm:ss} UTC (attempt {_delivery.Attempts} of {MaxAttempts}).";
            await _db.SaveChangesAsync(cancellationToken);
        }

        private async Task FailAsync(string reason, CancellationToken cancellationToken)
        {
            _delivery.State = DeliveryStates.Failed;
            _delivery.Reason = reason;
            await _db.SaveChangesAsync(cancellationToken);
            LogFailed(logger, _delivery.Id, reason);
        }
    }

    [LoggerMessage(LogLevel.Error, "Publishing delivery {DeliveryId} failed unexpectedly; it is reconciled when its claim lapses")]
    private static partial void LogAttemptCrashed(ILogger logger, Guid deliveryId, Exception exception);

    [LoggerMessage(LogLevel.Information, "Delivery {DeliveryId} published as tweet {TweetId}")]
    private static partial void LogPublished(ILogger logger, Guid deliveryId, string tweetId);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, string reason);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId}: looking for an earlier send among the account's posts failed: {Error}")]
    private static partial void LogReconcileLookupFailed(ILogger logger, Guid deliveryId, string error);
}
