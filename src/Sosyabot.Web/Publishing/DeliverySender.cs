using System.Data.Common;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Notifications;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// Sends one claimed delivery, from its first unsent part to its last. Each part's tweet id is stored as soon
// as X returns it, and a part whose answer was lost is looked for among the account's recent posts before
// it is sent again, so a delivery goes out at most once. A channel that needs a person holds the delivery
// instead of failing it; a cancel asked for mid-thread stops it after the part in flight.
public sealed partial class DeliverySender(
    SosyabotDbContext db,
    XClient x,
    XWebClient web,
    XWebSettings webSettings,
    RateBudgets budgets,
    ChannelTokens tokens,
    TimeProvider time,
    IOptions<PublishingOptions> options,
    IWorkspaceEvents events,
    LinkGenerator links,
    ILogger<DeliverySender> logger)
{
    public const int MaxAttempts = 6;

    private Delivery _delivery = null!;
    private List<MediaRef> _media = [];
    private DateTimeOffset _startedAt;
    private Publisher _publisher = null!;

    // The part in flight's reservation in its rate windows, and whether its request to X has begun: until then a
    // failure gives the reservation back; after it, X's answer (or its absence) is settled into the budgets.
    private InFlightReservation? _reservation;
    private bool _requestBegun;

    // The part whose lost answer was looked for on X in this send and not found: X does not have it (SendingPart stays
    // set while it is sent again, so that a lost answer to that send is looked for from the first send on).
    private int? _partNotOnX;

    private sealed record MediaRef(Guid Id, string ContentType, string? AltText);

    // The calls a delivery makes, on whichever surface its channel is connected through: X's API (OAuth 2.0,
    // API keys) or x.com's web path (cookies). Both throw XApiException for X's refusals.
    private sealed record PostingPath(
        Func<byte[], string, string?, CancellationToken, Task<XUploadedMedia>> UploadMediaAsync,
        Func<XTweetDraft, CancellationToken, Task<XCreatedTweet>> CreateTweetAsync,
        Func<DateTimeOffset, CancellationToken, Task<IReadOnlyList<XTweet>>> RecentTweetsAsync);

    // Sends the delivery that publisher (this node) claimed.
    public async Task SendAsync(Guid deliveryId, Publisher publisher, CancellationToken cancellationToken)
    {
        _publisher = publisher;
        _delivery = await db.Deliveries
            .Include(d => d.Post)
            .Include(d => d.Channel)
            .SingleAsync(d => d.Id == deliveryId, cancellationToken);
        // Only a claim this node still holds is sent: another node may have taken over one that lapsed.
        if (_delivery.State != DeliveryStates.Publishing || _delivery.ClaimedBy != _publisher.NodeId)
        {
            return;
        }
        _startedAt = time.GetUtcNow();
        // Bytes stay in the table until an upload needs them: a claim reads only what describes the images.
        _media = await db.PostMedia.AsNoTracking()
            .Where(m => m.PostId == _delivery.PostId)
            .OrderBy(m => m.Position)
            .Select(m => new MediaRef(m.Id, m.ContentType, m.AltText))
            .ToListAsync(cancellationToken);
        var channel = _delivery.Channel;

        if (_delivery.CancelRequested)
        {
            await CancelAfterLookingUpAsync(channel, cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        if (_delivery.HeldAt is not null)
        {
            // Claimed because its channel was connected again. Long after its time, a person decides.
            if (now - _delivery.DueAt > options.Value.AskIfLateBy)
            {
                await HoldAsync($"It was due at {_delivery.DueAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, while @{channel.Handle} needed reconnecting. " +
                                "The channel is back: publish it late, or skip it.", cancellationToken);
                return;
            }
            _delivery.HeldAt = null;
        }

        if (channel.Kind == ChannelKind.Cookie && !(await webSettings.GetAsync(cancellationToken)).Enabled)
        {
            await HoldAsync($"{XWebState.DisabledMessage} (@{channel.Handle})", cancellationToken);
            return;
        }
        PostingPath path;
        TweetWindows windows;
        try
        {
            (path, windows) = await AuthorizeAsync(channel, cancellationToken);
        }
        catch (Exception ex) when (ex is ChannelNeedsReconnectException or ChannelRefusedException)
        {
            await HoldAsync($"@{channel.Handle} needs reconnecting before it can publish: {ex.Message} It goes out once the channel is reconnected.",
                cancellationToken);
            return;
        }
        catch (XApiException ex) when (ex.Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
        {
            // X's token endpoint asked to wait before renewing the connection: the connection stands, nothing was sent,
            // and waiting is not an attempt.
            await WaitAsync(ex.RateLimits.SpentUntil ?? now + TimeSpan.FromMinutes(1), "X to renew the connection", cancellationToken);
            return;
        }
        var parts = _delivery.Post.Parts;

        // A part whose answer never came back may be on X already: look before sending it again, and send
        // nothing while that cannot be known.
        if (_delivery.SendingPart is not null && !await LookUpLostPartAsync(path, cancellationToken))
        {
            await RetryLaterAsync("Could not check on X whether the last send went out; checking again before anything is sent", cancellationToken);
            return;
        }
        var resending = _delivery.SendingPart is not null;

        if (_delivery.TweetIds.Count == 0 && _media.Any(m => ImageContent.IsVideo(m.ContentType))
            && ChannelAbility.ToPublishVideo(channel) is { Label: ChannelAbility.NoVideo } noVideo)
        {
            // Queued before the channel was connected again through cookies: the web path cannot take it.
            await FailAsync(noVideo.Reason, cancellationToken);
            return;
        }

        while (_delivery.TweetIds.Count < parts.Count)
        {
            var part = _delivery.TweetIds.Count;
            switch (await RenewClaimAsync(cancellationToken))
            {
                case ClaimRenewal.Lost:
                    LogClaimLost(logger, _delivery.Id);
                    return;
                case ClaimRenewal.CancelRequested:
                    await CancelAsync(cancellationToken);
                    return;
            }
            var reservation = await budgets.ReserveAsync(windows.All, _publisher.NodeId, _publisher.ClaimLease, cancellationToken);
            if (!reservation.Granted)
            {
                await WaitAsync(reservation.ResetAt!.Value, reservation.Exhausted!.Description, cancellationToken);
                return;
            }
            _reservation = reservation;
            _requestBegun = false;

            try
            {
                var mediaIds = part == 0 ? await UploadMediaAsync(path, cancellationToken) : null;
                if (mediaIds is { Count: 0 })
                {
                    await FailAsync("The images of this post are no longer kept and X has forgotten its uploads. Edit the post and attach them again.",
                        cancellationToken);
                    return;
                }
                // An upload, X's processing or a slow database can eat into the claim: renewed again before the POST,
                // so it leaves well inside the lease, and if another sender took the delivery over meanwhile, that one
                // posts and this one must not. The media ids are kept for whoever posts.
                if (time.GetUtcNow() - _delivery.ClaimedAt > _publisher.ClaimLease / 4
                    && await RenewClaimAsync(cancellationToken) is var renewal and not ClaimRenewal.Renewed)
                {
                    if (renewal == ClaimRenewal.Lost)
                    {
                        LogClaimLost(logger, _delivery.Id);
                        return;
                    }
                    await CancelAsync(cancellationToken);
                    return;
                }
                if (_delivery.SendingPart != part)
                {
                    // Kept from the first send of this part: a lost answer is looked for from then on.
                    _delivery.SendingPart = part;
                    _delivery.SendingSince = time.GetUtcNow();
                    await db.SaveChangesAsync(cancellationToken);
                }
                var post = _delivery.Post;
                _requestBegun = true;
                var created = await path.CreateTweetAsync(new XTweetDraft(
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
                var handled = ex is XWebException webRefusal
                    ? await HandleWebRefusalAsync(webRefusal, windows, resending, path, cancellationToken)
                    : await HandleRefusalAsync(ex, windows, resending, path, cancellationToken);
                if (!handled)
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
                await ObserveAsync(windows, XRateLimits.None, cancellationToken);
                await RetryLaterAsync($"X's answer was lost ({ex.GetType().Name}); checking whether the post went out before trying again", cancellationToken);
                return;
            }
            finally
            {
                await ReleaseUnsettledAsync();
            }
        }

        await PublishedAsync(cancellationToken);
    }

    private async Task PublishedAsync(CancellationToken cancellationToken)
    {
        _delivery.State = DeliveryStates.Published;
        _delivery.PublishedAt = time.GetUtcNow();
        _delivery.Reason = null;
        RaiseEvent(WorkspaceEventTypes.PostPublished, $"Published on @{_delivery.Channel.Handle}",
            $"“{Excerpt(_delivery)}” is on X as @{_delivery.Channel.Handle}'s post {_delivery.TweetIds[0]}.", null);
        await db.SaveChangesAsync(cancellationToken);
        LogPublished(logger, _delivery.Id, _delivery.TweetIds[0]);
        await DropMediaOnceDoneAsync(cancellationToken);
    }

    // A person cancelled it. A part whose answer was lost is looked for on X first, so that one X has is recorded, shown
    // and can be deleted from X rather than forgotten; when X cannot be asked now, the cancel stands and says the part
    // may be on X. Nothing is sent.
    private async Task CancelAfterLookingUpAsync(Channel channel, CancellationToken cancellationToken)
    {
        if (_delivery.SendingPart is not null && (channel.Kind != ChannelKind.Cookie || (await webSettings.GetAsync(cancellationToken)).Enabled))
        {
            try
            {
                await LookUpLostPartAsync((await AuthorizeAsync(channel, cancellationToken)).Path, cancellationToken);
            }
            // Whatever kept X from being asked, the person's cancel is honoured.
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogCancelLookupFailed(logger, _delivery.Id, ex);
            }
        }
        if (_delivery.TweetIds.Count == _delivery.Post.Parts.Count)
        {
            // The lost answer was the last part's: it is all on X, published before the cancel could stop it.
            await PublishedAsync(cancellationToken);
            return;
        }
        await CancelAsync(cancellationToken);
    }

    // SqlQuery reads it through the snake_case naming convention: the SQL returns snake_case columns.
    private sealed record RenewedClaim(DateTimeOffset ClaimedAt, bool CancelRequested);

    private enum ClaimRenewal
    {
        Renewed,
        CancelRequested,
        Lost,
    }

    // Before each call to X: extends this node's claim and its channel's lease, so that a long thread is not
    // taken over mid-way, and learns whether a person cancelled meanwhile. Lost when another node took over a
    // claim that had lapsed: then this node sends nothing more.
    private async Task<ClaimRenewal> RenewClaimAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var renewed = await db.Database.SqlQuery<RenewedClaim>($"""
            UPDATE deliveries SET claimed_at = {now}
            WHERE id = {_delivery.Id} AND state = 'publishing' AND claimed_by = {_publisher.NodeId} AND claimed_at = {_delivery.ClaimedAt}
            RETURNING claimed_at, cancel_requested
            """).ToListAsync(cancellationToken);
        if (renewed.Count == 0)
        {
            return ClaimRenewal.Lost;
        }
        // As stored (PostgreSQL keeps microseconds), so that the next renewal matches it exactly.
        var claimedAt = db.Entry(_delivery).Property(d => d.ClaimedAt);
        claimedAt.CurrentValue = renewed[0].ClaimedAt;
        claimedAt.OriginalValue = renewed[0].ClaimedAt;
        await db.PublishingLeases.Where(l => l.ChannelId == _delivery.ChannelId && l.HeldBy == _publisher.NodeId)
            .ExecuteUpdateAsync(update => update.SetProperty(l => l.HeldUntil, now + _publisher.ClaimLease), cancellationToken);
        return renewed[0].CancelRequested ? ClaimRenewal.CancelRequested : ClaimRenewal.Renewed;
    }

    // The images' bytes leave the table once every channel of the post is done with them: not earlier, since
    // X forgets uploads after a day and a retry or a late held post uploads them again.
    private async Task DropMediaOnceDoneAsync(CancellationToken cancellationToken)
    {
        if (_media.Count == 0)
        {
            return;
        }
        await DropMediaOnceDoneAsync(db, _delivery.PostId, cancellationToken);
    }

    // Also when a person cancels what was left to send: cancelled posts' images stop counting against the quota.
    internal static async Task DropMediaOnceDoneAsync(SosyabotDbContext db, Guid postId, CancellationToken cancellationToken)
    {
        await db.PostMedia
            .Where(m => m.PostId == postId && m.Bytes != null)
            .Where(_ => !db.Deliveries.Any(d => d.PostId == postId
                                                && d.State != DeliveryStates.Published
                                                && d.State != DeliveryStates.Cancelled
                                                && d.State != DeliveryStates.Deleted))
            .ExecuteUpdateAsync(update => update.SetProperty(m => m.Bytes, (byte[]?)null), cancellationToken);
    }

    // Deals with an error answer; true when the part turned out to be on X after all.
    private async Task<bool> HandleRefusalAsync(XApiException ex, TweetWindows windows, bool resending, PostingPath path, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        switch (ex.Status)
        {
            case HttpStatusCode.TooManyRequests when ex.IsUsageCapped:
                var capReset = ex.RateLimits.Endpoint?.ResetAt ?? ex.RateLimits.AppDay?.ResetAt ?? now.AddHours(24);
                ForgetSendUnlessResending(resending);
                await WaitAsync(capReset, $"X's monthly usage cap for this app or account ({ex.Description ?? "usage capped"})", cancellationToken);
                return false;
            case HttpStatusCode.TooManyRequests:
                var (window, resetAt) = ExhaustedWindow(ex.RateLimits, windows, now);
                await budgets.ExhaustAsync(window, resetAt, cancellationToken);
                ForgetSendUnlessResending(resending);
                await WaitAsync(resetAt, window.Description, cancellationToken);
                return false;
            case HttpStatusCode.Forbidden when ex.IsDuplicateContent && resending:
                // Our own earlier send got through and its answer was lost: find its id and carry on.
                var lookup = await FindSentPartAsync(path, cancellationToken);
                if (lookup.TweetId is { } id)
                {
                    await RecordSentAsync(id, cancellationToken);
                    return true;
                }
                if (!lookup.Looked)
                {
                    await RetryLaterAsync("X says the post is already on the account, and looking it up failed; looking again", cancellationToken);
                    return false;
                }
                await FailAsync("X says this post is a duplicate of one already on the account, so it was published earlier; its id could not be found.",
                    cancellationToken);
                return false;
            case HttpStatusCode.Forbidden when ex.IsDuplicateContent:
                await FailAsync("X refused it as duplicate content: the account already posted this exact text. Change the text and post again.",
                    cancellationToken);
                return false;
            case HttpStatusCode.Forbidden when ex.IsTextTooLong:
                await FailAsync($"X refused the post as too long for @{_delivery.Channel.Handle}: the account has no X subscription with long posts " +
                    "(any more). Check the channel on the channels page to read its subscription again, or edit the post into a thread of 280-character parts.",
                    cancellationToken);
                return false;
            case HttpStatusCode.Forbidden:
                await FailAsync(ChannelGuidance.ForbiddenWrite(ex), cancellationToken);
                return false;
            case HttpStatusCode.Unauthorized:
                var reason = ChannelGuidance.Unauthorized(_delivery.Channel.Kind, ex);
                await tokens.MarkNeedsReconnectAsync(_delivery.ChannelId, reason, cancellationToken);
                await HoldAsync($"{reason} It goes out once the channel is reconnected.", cancellationToken);
                return false;
            case HttpStatusCode.UnprocessableEntity when ex.Error == "media_processing_failed":
                // X took the upload and could not process it: sending it again gives the same answer.
                await FailAsync($"{ex.Description} Attach an MP4 with H.264 video and AAC audio (or another file) and publish again.", cancellationToken);
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

    // x.com's web path for a cookie channel. After every call, answered or not, a ct0 that x.com handed back
    // is stored at once: the next call (the next part of a thread, another node) must send it.
    private PostingPath WebPath(Channel channel, XWebSession session)
    {
        async Task<T> Storing<T>(Func<Task<T>> call, CancellationToken ct)
        {
            try
            {
                return await call();
            }
            finally
            {
                await tokens.StoreRotatedCt0Async(channel, session, ct);
            }
        }
        return new PostingPath(
            (bytes, type, alt, ct) => Storing(() => web.UploadMediaAsync(session, bytes, type, alt, ct), ct),
            (draft, ct) => Storing(() => web.CreateTweetAsync(session, draft, ct), ct),
            (since, ct) => Storing(async () =>
            {
                // x.com's dates have whole seconds; the page is the account's newest posts.
                var page = await web.GetUserTweetsAsync(session, channel.XUserId, 40, null, ct);
                return (IReadOnlyList<XTweet>)[.. page.Tweets.Where(t => t.CreatedAt is null || t.CreatedAt >= since.AddSeconds(-1))];
            }, ct));
    }

    // x.com's web path refuses in its own words (often as HTTP 200 with errors[]): each kind of refusal gets the
    // same guarantees as the API's. True when the part turned out to be on X after all.
    private async Task<bool> HandleWebRefusalAsync(
        XWebException ex, TweetWindows windows, bool resending, PostingPath path, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var channel = _delivery.Channel;
        var words = $"{(ex.Code is { } code ? $"code {code}" : $"HTTP {(int)ex.Status}")}{(ex.Description is { Length: > 0 } d ? ": " + d : "")}";
        switch (ex.Fault)
        {
            case XWebFault.RateLimited or XWebFault.AccountLimited:
                var (window, resetAt) = ExhaustedWindow(ex.RateLimits, windows, now);
                await budgets.ExhaustAsync(window, resetAt, cancellationToken);
                ForgetSendUnlessResending(resending);
                await WaitAsync(resetAt, ex.Fault == XWebFault.AccountLimited
                    ? $"x.com's limit on this account ({words}; its window still had requests left, so x.com is limiting the account itself)"
                    : $"{window.Description} ({words})", cancellationToken);
                return false;
            case XWebFault.DailyLimit:
                // x.com does not say when its daily cap lifts: look again in an hour rather than hammer it.
                await budgets.ExhaustAsync(windows.App, now.AddHours(1), cancellationToken);
                ForgetSendUnlessResending(resending);
                await WaitAsync(now.AddHours(1),
                    $"x.com's daily post limit for @{channel.Handle} ({words}); x.com does not say when it lifts, so Sosyabot tries again hourly",
                    cancellationToken);
                return false;
            case XWebFault.Duplicate when resending:
                var lookup = await FindSentPartAsync(path, cancellationToken);
                if (lookup.TweetId is { } id)
                {
                    await RecordSentAsync(id, cancellationToken);
                    return true;
                }
                if (!lookup.Looked)
                {
                    await RetryLaterAsync($"x.com says the post is already on the account ({words}), and looking it up failed; looking again",
                        cancellationToken);
                    return false;
                }
                await FailAsync($"x.com says this post is a duplicate of one already on the account ({words}), so it was published earlier; " +
                                $"its id could not be found among @{channel.Handle}'s posts.", cancellationToken);
                return false;
            case XWebFault.Duplicate:
                await FailAsync($"x.com refused it as a duplicate ({words}): @{channel.Handle} already posted this exact text. " +
                                "Change the text and post again.", cancellationToken);
                return false;
            case XWebFault.Automated:
                await FailAsync($"x.com refused it as looking automated ({words}). " +
                                $"Open x.com in a browser as @{channel.Handle} and post or pass any check it shows, " +
                                "then retry; or connect the account through X's consent page (OAuth 2.0), which X allows for automation.", cancellationToken);
                return false;
            case XWebFault.OutdatedQueryId:
            {
                var setting = XWebOperations.QueryIdVariable(ex.Operation);
                await webSettings.RecordUnknownQueryAsync(ex.Operation, ex.Description ?? words, setting, cancellationToken);
                ForgetSendUnlessResending(resending);
                await HoldAsync($"x.com no longer knows the query id Sosyabot sends for {ex.Operation} ({ex.Description}). " +
                                "An instance admin must update the setting " +
                                $"{setting} (Admin → X (Twitter) → Cookie channels) with the current id from x.com; " +
                                "the post is held and goes out once it is saved.", cancellationToken);
                return false;
            }
            case XWebFault.MissingFeatures:
            {
                var setting = ex.Operation is XWebOperations.CreateTweet ? XWebOperations.TweetFeaturesVariable : XWebOperations.TimelineFeaturesVariable;
                await webSettings.RecordUnknownQueryAsync(ex.Operation, ex.Description ?? words, setting, cancellationToken);
                ForgetSendUnlessResending(resending);
                await HoldAsync($"x.com wants feature flags Sosyabot does not send for {ex.Operation} ({words}). " +
                                $"An instance admin must add them to the setting {setting} " +
                                "(Admin → X (Twitter) → Cookie channels); the post is held and goes out once it is saved.", cancellationToken);
                return false;
            }
            case XWebFault.SessionRejected or XWebFault.CsrfRejected or XWebFault.Locked or XWebFault.Suspended:
                var reason = ChannelGuidance.WebSessionEnded(channel.Handle, ex);
                await tokens.MarkNeedsReconnectAsync(_delivery.ChannelId, reason, cancellationToken);
                // Refused before anything was created; an earlier lost send stays to be looked for.
                ForgetSendUnlessResending(resending);
                await HoldAsync(reason, cancellationToken);
                return false;
            case XWebFault.Other when (int)ex.Status >= 500:
                await RetryLaterAsync($"x.com had a problem ({words})", cancellationToken);
                return false;
            default:
                await FailAsync($"x.com refused the post ({words}).", cancellationToken);
                return false;
        }
    }

    // Uploads the post's images that this delivery has not uploaded yet, storing each media id as X returns
    // it, so a retry reuses what is already on X (until X forgets it). Empty when an image is needed again
    // but its bytes were already dropped.
    private async Task<IReadOnlyList<string>?> UploadMediaAsync(PostingPath path, CancellationToken cancellationToken)
    {
        if (_media.Count == 0)
        {
            return null;
        }
        if (_delivery.XMediaExpireAt is { } expireAt && expireAt <= time.GetUtcNow() + TimeSpan.FromMinutes(5))
        {
            _delivery.XMediaIds = [];
            _delivery.XMediaExpireAt = null;
        }
        while (_delivery.XMediaIds.Count < _media.Count)
        {
            var next = _media[_delivery.XMediaIds.Count];
            var bytes = await db.PostMedia.Where(m => m.Id == next.Id).Select(m => m.Bytes).SingleAsync(cancellationToken);
            if (bytes is null)
            {
                return [];
            }
            var uploaded = await path.UploadMediaAsync(bytes, next.ContentType, next.AltText, cancellationToken);
            _delivery.XMediaIds = [.. _delivery.XMediaIds, uploaded.MediaId];
            _delivery.XMediaExpireAt = _delivery.XMediaExpireAt is { } earliest && earliest < uploaded.ExpiresAt ? earliest : uploaded.ExpiresAt;
            await db.SaveChangesAsync(cancellationToken);
        }
        return _delivery.XMediaIds;
    }

    // A refusal proves this request did not create the post, but not an earlier send whose answer was lost:
    // that one stays to be looked for.
    private void ForgetSendUnlessResending(bool resending)
    {
        if (!resending)
        {
            _delivery.SendingPart = null;
            _delivery.SendingSince = null;
        }
    }

    private sealed record SentPartLookup(bool Looked, string? TweetId);

    private async Task<SentPartLookup> FindSentPartAsync(PostingPath path, CancellationToken cancellationToken)
    {
        var part = _delivery.SendingPart!.Value;
        var since = (_delivery.SendingSince ?? _delivery.Post.CreatedAt) - TimeSpan.FromMinutes(1);
        var text = _delivery.Post.Parts[part];
        try
        {
            var recent = await path.RecentTweetsAsync(since, cancellationToken);
            return new SentPartLookup(true, recent.FirstOrDefault(t => SentTextMatch.IsSameText(text, t))?.Id);
        }
        catch (Exception ex) when (ex is XApiException or HttpRequestException or TaskCanceledException or TimeoutException or System.Text.Json.JsonException
                                       or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                   && !cancellationToken.IsCancellationRequested)
        {
            LogReconcileLookupFailed(logger, _delivery.Id, ex.Message);
            return new SentPartLookup(false, null);
        }
    }

    // Looks for the part whose answer was lost among the account's posts: found, it is recorded as sent (SendingPart
    // cleared); not found, X does not have it. False when X could not be asked.
    private async Task<bool> LookUpLostPartAsync(PostingPath path, CancellationToken cancellationToken)
    {
        var lookup = await FindSentPartAsync(path, cancellationToken);
        if (lookup.TweetId is { } sent)
        {
            await RecordSentAsync(sent, cancellationToken);
        }
        else if (lookup.Looked)
        {
            _partNotOnX = _delivery.SendingPart;
        }
        return lookup.Looked;
    }

    private async Task RecordSentAsync(string tweetId, CancellationToken cancellationToken)
    {
        _delivery.TweetIds = [.. _delivery.TweetIds, tweetId];
        _delivery.SendingPart = null;
        _delivery.SendingSince = null;
        await db.SaveChangesAsync(cancellationToken);
    }

    // Settles the part's reservation once its request to X has begun: X's headers where it sent them, one request
    // counted where it did not (its answer was lost, or the header is missing). A refusal before the request (an
    // upload) leaves the reservation to ReleaseUnsettledAsync.
    private async Task ObserveAsync(TweetWindows windows, XRateLimits limits, CancellationToken cancellationToken)
    {
        if (_reservation is not { } reservation || !_requestBegun)
        {
            return;
        }
        await budgets.SettleAsync(reservation, [(windows.User, limits.Endpoint), (windows.App, limits.AppDay), (windows.UserDay, limits.UserDay)],
            cancellationToken);
        _reservation = null;
    }

    // Whatever ended the part without settling it, the reservation is given back now rather than at its lease.
    private async Task ReleaseUnsettledAsync()
    {
        if (_reservation is not { } reservation)
        {
            return;
        }
        _reservation = null;
        try
        {
            await budgets.ReleaseAsync(reservation, CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is away: the reservation lapses with its lease instead.
            LogReleaseFailed(logger, _delivery.Id, ex);
        }
    }

    private static (RateWindow Window, DateTimeOffset ResetAt) ExhaustedWindow(XRateLimits limits, TweetWindows windows, DateTimeOffset now) =>
        limits.AppDay is { Remaining: 0 } appDay ? (windows.App, appDay.ResetAt)
        : limits.UserDay is { Remaining: 0 } userDay ? (windows.UserDay, userDay.ResetAt)
        // Without a reset header, wait out one whole 15-minute window.
        : (windows.User, limits.Endpoint?.ResetAt ?? now + windows.User.Length);

    private async Task WaitAsync(DateTimeOffset until, string why, CancellationToken cancellationToken)
    {
        _delivery.State = DeliveryStates.WaitingForRateLimit;
        _delivery.DueAt = until;
        _delivery.Reason = $"Waiting for {why}; it goes at {until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC.";
        await SaveUnlessCancelledAsync(cancellationToken);
    }

    // A call reached X and failed, or its answer was lost: that is an attempt, and it is retried with backoff.
    private async Task RetryLaterAsync(string why, CancellationToken cancellationToken)
    {
        _delivery.Attempts++;
        if (_delivery.Attempts >= MaxAttempts)
        {
            await FailAsync($"{why}. Gave up after {MaxAttempts} attempts; retry it when X is well again.", cancellationToken);
            return;
        }
        // Exponential backoff with full jitter: 30 s, 1 min, 2 min, ... spread so that nodes do not retry in step.
        var ceiling = TimeSpan.FromSeconds(30 * Math.Pow(2, _delivery.Attempts - 1));
        var delay = TimeSpan.FromSeconds(5) + ceiling * Random.Shared.NextDouble();
        _delivery.State = DeliveryStates.Queued;
        _delivery.DueAt = time.GetUtcNow() + delay;
        _delivery.Reason = $"{why}; retrying at {_delivery.DueAt.UtcDateTime:HH:mm:ss} UTC (attempt {_delivery.Attempts} of {MaxAttempts}).";
        await SaveUnlessCancelledAsync(cancellationToken);
    }

    // The path a channel posts by (API or x.com's web client) and the rate windows that path spends.
    private async Task<(PostingPath Path, TweetWindows Windows)> AuthorizeAsync(Channel channel, CancellationToken cancellationToken)
    {
        if (channel.Kind == ChannelKind.Cookie)
        {
            var session = await tokens.AuthorizeWebAsync(channel, ChannelAbility.PostScope, cancellationToken);
            return (WebPath(channel, session), RateBudgets.ForWebTweets(channel.XUserId));
        }
        var authorization = await tokens.AuthorizeAsync(channel, XCallContext.UserRequired, ChannelAbility.PostScope, cancellationToken);
        var auth = authorization.Auth;
        var path = new PostingPath(
            (bytes, type, alt, ct) => x.UploadMediaAsync(auth, bytes, type, alt, ct),
            (draft, ct) => x.CreateTweetAsync(auth, draft, ct),
            (since, ct) => x.GetRecentTweetsAsync(auth, channel.XUserId, since, ct));
        return (path, RateBudgets.ForTweets(channel.XUserId, authorization.AppKey));
    }

    private async Task HoldAsync(string reason, CancellationToken cancellationToken)
    {
        _delivery.State = DeliveryStates.Held;
        // From when this send started: a reconnect while it was failing releases the delivery, not strands it.
        _delivery.HeldAt = _startedAt;
        _delivery.Reason = reason;
        RaiseEvent(WorkspaceEventTypes.PostHeld, $"Held on @{_delivery.Channel.Handle}", $"“{Excerpt(_delivery)}” is held: {reason}", reason);
        await SaveUnlessCancelledAsync(cancellationToken);
        LogHeld(logger, _delivery.Id, reason);
    }

    private async Task FailAsync(string reason, CancellationToken cancellationToken)
    {
        _delivery.State = DeliveryStates.Failed;
        _delivery.Reason = reason;
        events.Add(FailedEvent(_delivery, reason, links));
        await SaveUnlessCancelledAsync(cancellationToken);
        LogFailed(logger, _delivery.Id, reason);
    }

    // Staged with the outcome, so the event and the delivery's new state are saved together or not at all.
    private void RaiseEvent(string type, string title, string body, string? reason) =>
        events.Add(EventFor(_delivery, type, title, body, reason, links));

    // A delivery that failed for good, told as the workspace hears it; its Post and Channel are loaded.
    public static WorkspaceEvent FailedEvent(Delivery delivery, string reason, LinkGenerator links) =>
        EventFor(delivery, WorkspaceEventTypes.PostFailed, $"Failed on @{delivery.Channel.Handle}", $"“{Excerpt(delivery)}” was not published: {reason}",
            reason, links);

    private static WorkspaceEvent EventFor(Delivery delivery, string type, string title, string body, string? reason, LinkGenerator links) =>
        new(delivery.WorkspaceId, type, title, body,
            links.GetPathByPage("/Publishing/Post", values: new { id = delivery.PostId }),
            new Dictionary<string, string?>
            {
                ["post_id"] = delivery.PostId.ToString("D"),
                ["delivery_id"] = delivery.Id.ToString("D"),
                ["channel_id"] = delivery.ChannelId.ToString("D"),
                ["channel_handle"] = delivery.Channel.Handle,
                ["state"] = delivery.State,
                ["reason"] = reason,
                ["tweet_ids"] = delivery.TweetIds.Count == 0 ? null : string.Join(",", delivery.TweetIds),
                ["text"] = delivery.Post.Parts.Count == 0 ? null : delivery.Post.Parts[0],
            });

    private static string Excerpt(Delivery delivery)
    {
        var text = delivery.Post.Parts.Count == 0 ? "" : delivery.Post.Parts[0].ReplaceLineEndings(" ");
        return text.Length <= 80 ? text : text[..79] + "…";
    }

    // Cancels what is left; a part whose answer was lost and could not be looked up stays marked (SendingPart), so
    // the post is not edited into a second version of it.
    private async Task CancelAsync(CancellationToken cancellationToken)
    {
        if (_delivery.SendingPart is { } part && part == _partNotOnX)
        {
            _delivery.SendingPart = null;
        }
        _delivery.State = DeliveryStates.Cancelled;
        _delivery.Reason = PostLifecycle.CancelledReason(_delivery.TweetIds.Count, _delivery.Post.Parts.Count, _delivery.SendingPart);
        await db.SaveChangesAsync(cancellationToken);
        await DropMediaOnceDoneAsync(cancellationToken);
    }

    // Leaves 'publishing' for a state that would go on by itself, then honours a cancel that a person asked
    // for meanwhile: the cancel saw 'publishing' and could only raise the flag.
    private async Task SaveUnlessCancelledAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        if (await PostLifecycle.CancelNotSentAsync(
                db.Deliveries.Where(d => d.Id == _delivery.Id && d.CancelRequested), _delivery.Post.Parts.Count, cancellationToken) > 0)
        {
            await DropMediaOnceDoneAsync(cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId}: its rate-budget reservation could not be released; it lapses with its lease")]
    private static partial void LogReleaseFailed(ILogger logger, Guid deliveryId, Exception exception);

    [LoggerMessage(LogLevel.Information, "Delivery {DeliveryId} published as tweet {TweetId}")]
    private static partial void LogPublished(ILogger logger, Guid deliveryId, string tweetId);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId} failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, Guid deliveryId, string reason);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId}: another node took over its lapsed claim; this node sends nothing more of it")]
    private static partial void LogClaimLost(ILogger logger, Guid deliveryId);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId} is held: {Reason}")]
    private static partial void LogHeld(ILogger logger, Guid deliveryId, string reason);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId} is cancelled without knowing whether X has the part whose answer was lost: looking it up failed")]
    private static partial void LogCancelLookupFailed(ILogger logger, Guid deliveryId, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Delivery {DeliveryId}: looking for an earlier send among the account's posts failed: {Error}")]
    private static partial void LogReconcileLookupFailed(ILogger logger, Guid deliveryId, string error);
}
