using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// There is no such post in the caller's workspace (a post of another workspace gets the same answer).
public sealed class PostNotFoundException(Guid postId) : Exception($"There is no post {postId} in this workspace.");

// The post cannot be changed that way now; Exception.Message says why and what to do instead.
public sealed class PostConflictException(string message) : Exception(message);

// What a cancel did: deliveries stopped at once, and deliveries being sent that stop after the part in flight.
public sealed record CancelOutcome(int Cancelled, int Stopping);

// Everything a person does to a post after writing it: edit, reschedule, publish a draft, cancel, retry,
// decide about a late held post, duplicate, and delete from X. Changes that touch deliveries lock their rows
// first (the publisher's claim skips locked rows) and refuse while one is being sent, so an edit never races
// a send; the post's xmin catches two people editing at once.
public sealed class PostLifecycle(
    SosyabotDbContext db,
    PublishingQueue queue,
    Publisher publisher,
    ChannelTokens tokens,
    XClient x,
    RateBudgets budgets,
    TimeProvider time)
{
    private const string ChangedMeanwhile = "Someone changed this post since you opened it. Open it again to see their changes, then make yours.";

    // A cancelled delivery's reason, here and in CancelNotSentAsync's SQL: what is on X, and what may be.
    private const string NothingSent = "Cancelled before anything was sent.";
    private const string SentPartsStay = ": the parts already on X stay there, the rest were not sent.";
    private const string LostAnswer = ": its answer was lost. Look for it on the account before posting it again.";

    public static string CancelledReason(int sentParts, int parts, int? uncertainPart) =>
        uncertainPart is { } part ? $"Cancelled, but X may already have part {part + 1} of {parts}{LostAnswer}"
        : sentParts == 0 ? NothingSent
        : $"Cancelled after part {sentParts} of {parts}{SentPartsStay}";

    // Cancels those of deliveries that nobody is sending, in one statement (so a claim cannot
    // slip between a read and the write); the reason counts the parts already on X as stored, not as last read, and
    // says so when a part's answer was lost (the sender looks such a part up before it honours a flagged cancel).
    public static Task<int> CancelNotSentAsync(IQueryable<Delivery> deliveries, int parts, CancellationToken cancellationToken) =>
        deliveries
            .Where(d => DeliveryStates.Pending.Contains(d.State))
            .ExecuteUpdateAsync(u => u
                .SetProperty(d => d.State, DeliveryStates.Cancelled)
                .SetProperty(d => d.Reason, d => d.SendingPart != null
                    ? "Cancelled, but X may already have part " + (d.SendingPart.Value + 1) + " of " + parts + LostAnswer
                    : d.TweetIds.Count == 0
                        ? NothingSent
                        : "Cancelled after part " + d.TweetIds.Count + " of " + parts + SentPartsStay),
                cancellationToken);

    // The post with its deliveries and their channels, and its images without their bytes.
    public async Task<Post> GetAsync(Guid workspaceId, Guid postId, CancellationToken cancellationToken) =>
        await db.Posts.AsNoTracking()
            .Include(p => p.Deliveries.OrderBy(d => d.Channel.Handle)).ThenInclude(d => d.Channel)
            .AsSplitQuery()
            .SingleOrDefaultAsync(p => p.Id == postId && p.WorkspaceId == workspaceId, cancellationToken)
        ?? throw new PostNotFoundException(postId);

    public async Task<List<MediaSummary>> MediaAsync(Guid workspaceId, Guid postId, CancellationToken cancellationToken) =>
        await db.PostMedia.AsNoTracking()
            .Where(m => m.PostId == postId && db.Posts.Any(p => p.Id == postId && p.WorkspaceId == workspaceId))
            .OrderBy(m => m.Position)
            .Select(m => new MediaSummary(m.Id, m.FileName, m.ContentType, m.AltText))
            .ToListAsync(cancellationToken);

    public sealed record MediaSummary(Guid Id, string FileName, string ContentType, string? AltText);

    // A copy saved as a draft, and how many images could not come along (their bytes are gone once published).
    public sealed record Duplicate(Post Copy, int ImagesLeftBehind);

    // Why a post's text, images or channels cannot be changed any more, or null while they can: the one rule
    // the pages, the API and this service share.
    public static string? WhyNotEditable(Post post) =>
        WhyInFlightOrSent(post)
        ?? (post.Deliveries.FirstOrDefault(d => d.SendingPart is not null) is { } uncertain
            ? $"X may already have part {uncertain.SendingPart + 1} of this post on @{uncertain.Channel.Handle}: " +
              "its answer was lost, and changing the text now could put two versions on X. " +
              "Retry or cancel it instead, or duplicate it to post a changed version."
            : null);

    // Why a post cannot be moved to another time, or null while it can.
    public static string? WhyNotReschedulable(Post post) =>
        WhyInFlightOrSent(post)
        ?? (!post.IsDraft && post.Deliveries.All(d => d.State == DeliveryStates.Cancelled)
            ? "This post is cancelled on every channel, so there is nothing to move. Edit it to choose channels again, or duplicate it."
            : null);

    private static string? WhyInFlightOrSent(Post post) =>
        post.Deliveries.Any(d => d.State == DeliveryStates.Publishing)
            ? "This post is being published right now, so it cannot be changed. " +
              "Wait until it is done, or cancel it: the part in flight finishes, the rest stop."
            : post.Deliveries.FirstOrDefault(d => d.State is DeliveryStates.Published or DeliveryStates.Deleted || d.TweetIds.Count > 0) is { } sent
                ? $"This post has already gone out on @{sent.Channel.Handle}, so it cannot be changed. Duplicate it to post a changed version."
                : null;

    // Replaces a not-yet-sent post's text, images, channels and time. kept lists the images
    // to keep (null keeps them all); expectedVersion is the version the editor was shown.
    // With publish a draft becomes a queued post; without it a draft stays a draft.
    public async Task<Post> UpdateAsync(
        Guid workspaceId, Guid postId, PostDraft draft, IReadOnlyList<KeptMedia>? kept, uint? expectedVersion, bool publish,
        CancellationToken cancellationToken)
    {
        var channels = await queue.ChannelsAsync(workspaceId, draft.ChannelIds, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var post = await LockAsync(workspaceId, postId, expectedVersion, cancellationToken);
        if (WhyNotEditable(post) is { } refusal)
        {
            throw new PostConflictException(refusal);
        }
        var existingMedia = await db.PostMedia.Where(m => m.PostId == postId).OrderBy(m => m.Position).ToListAsync(cancellationToken);
        var keptMedia = kept is null ? existingMedia : existingMedia.Where(m => kept.Any(k => k.Id == m.Id)).ToList();

        var now = time.GetUtcNow();
        var parts = PublishingQueue.Normalize(draft.Parts);
        var asDraft = post.IsDraft && !publish;
        // A channel the post already waits on may stay while it needs reconnecting: the post stays held for it.
        var waitingOn = post.Deliveries.Where(d => d.State != DeliveryStates.Cancelled).Select(d => d.ChannelId).ToHashSet();
        var problems = queue.Problems(draft, parts, channels, keptMedia.Count + (draft.Media?.Count ?? 0), workspaceId, asDraft, waitingOn,
            [.. keptMedia.Select(m => m.ContentType)]);
        foreach (var keep in kept ?? [])
        {
            if (existingMedia.FirstOrDefault(m => m.Id == keep.Id) is { } image)
            {
                problems.AddRange(PublishingQueue.AltTextProblems(image.FileName, keep.AltText));
            }
        }
        // Cancelling every channel let the images go (DropMediaOnceDoneAsync): kept, they could never be uploaded.
        problems.AddRange(keptMedia.Where(m => m.Bytes is null).Select(m =>
            $"{m.FileName} is no longer kept: Sosyabot lets a post's images go once no channel is left to publish them. Remove it and attach the file again."));
        PublishingQueue.ThrowIfProblems(problems);
        await queue.ThrowIfOverQuotaAsync(workspaceId, PublishingQueue.BytesOf(draft.Media),
            existingMedia.Except(keptMedia).Where(m => m.Bytes is not null).Sum(m => (long)m.Length), cancellationToken);

        var dueAt = PublishingQueue.DueAt(draft, now);
        post.Parts = parts;
        post.DueAt = dueAt;
        post.TimeZone = draft.TimeZone ?? post.TimeZone;
        post.UpdatedAt = now;

        var mediaChanged = keptMedia.Count != existingMedia.Count || (draft.Media?.Count ?? 0) > 0;
        db.PostMedia.RemoveRange(existingMedia.Except(keptMedia));
        foreach (var image in keptMedia)
        {
            if (kept?.FirstOrDefault(k => k.Id == image.Id) is { } keep)
            {
                var altText = string.IsNullOrWhiteSpace(keep.AltText) ? null : keep.AltText.Trim();
                // X took the description with the upload: a new one means uploading again.
                mediaChanged |= altText != image.AltText;
                image.AltText = altText;
            }
        }
        if (mediaChanged)
        {
            // Positions are unique per post: move the kept images out of the way before renumbering them.
            await db.PostMedia.Where(m => m.PostId == postId)
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Position, m => m.Position + 1000), cancellationToken);
            for (var i = 0; i < keptMedia.Count; i++)
            {
                db.Entry(keptMedia[i]).Property(m => m.Position).CurrentValue = i;
                db.Entry(keptMedia[i]).Property(m => m.Position).IsModified = true;
            }
            db.PostMedia.AddRange(PublishingQueue.NewMedia(draft.Media, keptMedia.Count).Select(m => WithPost(m, postId)));
        }

        if (asDraft)
        {
            post.DraftChannelIds = [.. channels.Select(c => c.Id)];
        }
        else
        {
            post.IsDraft = false;
            post.DraftChannelIds = [];
            foreach (var removed in post.Deliveries.Where(d => channels.All(c => c.Id != d.ChannelId)).ToList())
            {
                db.Deliveries.Remove(removed);
            }
            foreach (var channel in channels)
            {
                var delivery = post.Deliveries.FirstOrDefault(d => d.ChannelId == channel.Id);
                if (delivery is null)
                {
                    db.Deliveries.Add(new Delivery { PostId = postId, WorkspaceId = workspaceId, ChannelId = channel.Id, DueAt = dueAt });
                    continue;
                }
                Requeue(delivery, dueAt);
                if (mediaChanged)
                {
                    delivery.XMediaIds = [];
                    delivery.XMediaExpireAt = null;
                }
            }
        }
        await SaveAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (!post.IsDraft)
        {
            publisher.Wake(dueAt);
        }
        return post;
    }

    // Moves a not-yet-sent post (or draft) to another time; held deliveries stay held until their channel is back.
    public async Task<Post> RescheduleAsync(Guid workspaceId, Guid postId, DateTimeOffset at, string? timeZone, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (at < now - TimeSpan.FromMinutes(1))
        {
            throw new DraftRejectedException(["The scheduled time is in the past."]);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var post = await LockAsync(workspaceId, postId, null, cancellationToken);
        if (WhyNotReschedulable(post) is { } refusal)
        {
            throw new PostConflictException(refusal);
        }
        // Moving a failed post sends it again: the same checks as Retry.
        ThrowIfCannotSendAgain(post.Deliveries.Where(d => d.State == DeliveryStates.Failed));
        var dueAt = at > now ? at.ToUniversalTime() : now;
        post.DueAt = dueAt;
        post.TimeZone = timeZone ?? post.TimeZone;
        post.UpdatedAt = now;
        foreach (var delivery in post.Deliveries.Where(d => d.State != DeliveryStates.Cancelled))
        {
            Requeue(delivery, dueAt);
        }
        await SaveAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        publisher.Wake(dueAt);
        return post;
    }

    // Stops what has not gone out, for one channel or all of them. A delivery being sent stops after the part
    // in flight (the publisher sees the flag); what is already on X stays there.
    public async Task<CancelOutcome> CancelAsync(Guid workspaceId, Guid postId, Guid? channelId, CancellationToken cancellationToken)
    {
        var post = await GetAsync(workspaceId, postId, cancellationToken);
        if (post.IsDraft)
        {
            throw new PostConflictException("This is a draft: nothing is scheduled. Delete the draft instead.");
        }
        var targets = post.Deliveries.Where(d => channelId is null || d.ChannelId == channelId).ToList();
        if (targets.Count == 0)
        {
            throw new PostConflictException("This post does not go to that channel.");
        }
        int cancelled = 0, stopping = 0;
        foreach (var delivery in targets)
        {
            // Two atomic steps against the claim: cancel outright while nobody sends it, or flag it for the sender.
            for (var tries = 0; tries < 3; tries++)
            {
                if (await CancelNotSentAsync(db.Deliveries.Where(d => d.Id == delivery.Id), post.Parts.Count, cancellationToken) > 0)
                {
                    cancelled++;
                    break;
                }
                if (await db.Deliveries.Where(d => d.Id == delivery.Id && d.State == DeliveryStates.Publishing)
                        .ExecuteUpdateAsync(u => u.SetProperty(d => d.CancelRequested, true), cancellationToken) > 0)
                {
                    stopping++;
                    break;
                }
                var state = await db.Deliveries.Where(d => d.Id == delivery.Id).Select(d => d.State).SingleAsync(cancellationToken);
                if (DeliveryStates.IsFinal(state))
                {
                    break;
                }
            }
        }
        if (cancelled > 0)
        {
            await DeliverySender.DropMediaOnceDoneAsync(db, postId, cancellationToken);
        }
        if (cancelled + stopping > 0)
        {
            // A new version of the post: an edit opened before the cancel would otherwise queue the cancelled channels again.
            await db.Posts.Where(p => p.Id == postId).ExecuteUpdateAsync(u => u.SetProperty(p => p.UpdatedAt, time.GetUtcNow()), cancellationToken);
        }
        if (cancelled + stopping == 0)
        {
            throw new PostConflictException(targets.Any(d => d.State == DeliveryStates.Published)
                ? "It is already published; there is nothing left to cancel. Delete it from X instead."
                : "There is nothing left to cancel.");
        }
        return new CancelOutcome(cancelled, stopping);
    }

    // A failed delivery goes out again only through a channel that can publish now (connected, not needing a reconnect).
    private static void ThrowIfCannotSendAgain(IEnumerable<Delivery> failed) =>
        PublishingQueue.ThrowIfProblems(failed.Select(d => ChannelAbility.ToPublish(d.Channel)?.Reason).OfType<string>().Distinct().ToList());

    // Sends failed deliveries again, from the first part X does not have yet.
    public async Task<int> RetryAsync(Guid workspaceId, Guid postId, Guid? channelId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var post = await LockAsync(workspaceId, postId, null, cancellationToken);
        var failed = post.Deliveries.Where(d => d.State == DeliveryStates.Failed && (channelId is null || d.ChannelId == channelId)).ToList();
        if (failed.Count == 0)
        {
            throw new PostConflictException("Only a failed delivery can be retried, and this post has none" + (channelId is null ? "." : " on that channel."));
        }
        ThrowIfCannotSendAgain(failed);
        var now = time.GetUtcNow();
        foreach (var delivery in failed)
        {
            Requeue(delivery, now);
        }
        await SaveAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        publisher.Wake(now);
        return failed.Count;
    }

    // A held delivery whose channel is back (or a person who would rather not wait): publish it now, late, or
    // skip it.
    public async Task PublishHeldNowAsync(Guid workspaceId, Guid postId, Guid channelId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var post = await LockAsync(workspaceId, postId, null, cancellationToken);
        var delivery = post.Deliveries.FirstOrDefault(d => d.ChannelId == channelId && d.State == DeliveryStates.Held)
            ?? throw new PostConflictException("This post is not held on that channel.");
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == channelId, cancellationToken);
        PublishingQueue.ThrowIfProblems(ChannelAbility.ToPublish(channel) is { } refusal ? [refusal.Reason] : []);
        var now = time.GetUtcNow();
        Requeue(delivery, now);
        await SaveAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        publisher.Wake(now);
    }

    // A new draft with the same text, images, reply, quote and channels: to post again, changed or not.
    public async Task<Duplicate> DuplicateAsync(Guid workspaceId, string userId, Guid postId, CancellationToken cancellationToken)
    {
        var original = await GetAsync(workspaceId, postId, cancellationToken);
        var media = await db.PostMedia.AsNoTracking().Where(m => m.PostId == postId).OrderBy(m => m.Position).ToListAsync(cancellationToken);
        var now = time.GetUtcNow();
        var copy = new Post
        {
            WorkspaceId = workspaceId,
            CreatedByUserId = userId,
            CreatedAt = now,
            DueAt = now,
            TimeZone = original.TimeZone,
            Parts = [.. original.Parts],
            InReplyToTweetId = original.InReplyToTweetId,
            QuoteTweetId = original.QuoteTweetId,
            IsDraft = true,
            DraftChannelIds = original.IsDraft
                ? [.. original.DraftChannelIds]
                : [.. original.Deliveries.Where(d => d.Channel.State != ChannelStates.Removed).Select(d => d.ChannelId)],
        };
        copy.Media.AddRange(media.Where(m => m.Bytes is not null).Select((m, i) => new PostMedia
        {
            Position = i, FileName = m.FileName, ContentType = m.ContentType, Bytes = m.Bytes, Length = m.Length, AltText = m.AltText,
        }));
        await queue.ThrowIfOverQuotaAsync(workspaceId, copy.Media.Sum(m => (long)m.Length), 0, cancellationToken);
        db.Posts.Add(copy);
        await db.SaveChangesAsync(cancellationToken);
        return new Duplicate(copy, media.Count(m => m.Bytes is null));
    }

    public async Task DeleteDraftAsync(Guid workspaceId, Guid postId, CancellationToken cancellationToken)
    {
        if (await db.Posts.Where(p => p.Id == postId && p.WorkspaceId == workspaceId && p.IsDraft).ExecuteDeleteAsync(cancellationToken) == 0)
        {
            _ = await GetAsync(workspaceId, postId, cancellationToken);
            throw new PostConflictException("Only a draft can be deleted here; cancel a scheduled post, or delete a published one from X.");
        }
    }

    // Deletes a published delivery's posts from X (every part of a thread, last first) with DELETE /2/tweets/:id,
    // within X's limit of 50 per 15 minutes. The delivery stays in the history as deleted.
    public async Task<int> DeleteFromXAsync(Guid workspaceId, Guid postId, Guid? channelId, CancellationToken cancellationToken)
    {
        var post = await GetAsync(workspaceId, postId, cancellationToken);
        var published = post.Deliveries
            .Where(d => (channelId is null || d.ChannelId == channelId) && d.TweetIds.Count > 0
                && d.State is DeliveryStates.Published or DeliveryStates.Cancelled or DeliveryStates.Failed)
            .ToList();
        if (published.Count == 0)
        {
            throw new PostConflictException("Nothing of this post is on X" + (channelId is null ? "." : " for that channel."));
        }
        if (published.Where(d => d.Channel.Kind == ChannelKind.Cookie).Select(d => "@" + d.Channel.Handle).ToList() is [_, ..] cookieChannels)
        {
            throw new PostConflictException($"Sosyabot deletes posts through X's API, and {string.Join(", ", cookieChannels)} " +
                "is connected with browser cookies: delete those posts on x.com. Nothing was deleted" +
                (channelId is null ? "; delete the other channels' posts one channel at a time." : "."));
        }
        var deleted = 0;
        foreach (var delivery in published)
        {
            // Out of Retry's reach before anything goes to X, or a retried thread would go on replying to the parts being
            // deleted; put back as it was if X did not delete them all.
            if (await db.Deliveries.Where(d => d.Id == delivery.Id && d.State == delivery.State).ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.State, DeliveryStates.Deleted).SetProperty(d => d.DeletedAt, time.GetUtcNow()), cancellationToken) == 0)
            {
                throw new PostConflictException("This post changed while it was being deleted from X (retried, say). Open it again to see where it is.");
            }
            try
            {
                await DeleteTweetsAsync(delivery, cancellationToken);
            }
            catch
            {
                await db.Deliveries.Where(d => d.Id == delivery.Id && d.State == DeliveryStates.Deleted).ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.State, delivery.State).SetProperty(d => d.DeletedAt, (DateTimeOffset?)null), CancellationToken.None);
                throw;
            }
            await db.Deliveries.Where(d => d.Id == delivery.Id).ExecuteUpdateAsync(u => u.SetProperty(d => d.Reason, (string?)null), cancellationToken);
            deleted++;
        }
        return deleted;
    }

    // Every part of the delivery's thread, last first; a post X no longer has counts as deleted.
    private async Task DeleteTweetsAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var channel = delivery.Channel;
        var authorization = await tokens.AuthorizeAsync(channel, XCallContext.UserRequired, ChannelAbility.PostScope, cancellationToken);
        var windows = RateBudgets.ForTweetDeletes(channel.XUserId);
        foreach (var tweetId in Enumerable.Reverse(delivery.TweetIds))
        {
            var reservation = await budgets.TryReserveAsync(windows.All, cancellationToken);
            if (!reservation.Granted)
            {
                throw new RateBudgetSpentException(reservation.Exhausted!, reservation.ResetAt!.Value);
            }
            XRateLimits limits;
            try
            {
                limits = await x.DeleteTweetAsync(authorization.Auth, tweetId, cancellationToken);
            }
            catch (XApiException ex) when (ex.Status == System.Net.HttpStatusCode.Unauthorized)
            {
                var reason = ChannelGuidance.Unauthorized(channel.Kind, ex);
                await tokens.MarkNeedsReconnectAsync(channel.Id, reason, cancellationToken);
                throw new ChannelNeedsReconnectException(reason);
            }
            if (limits.Endpoint is { } observed)
            {
                await budgets.ObserveAsync(windows.Endpoint, observed, cancellationToken);
            }
        }
    }

    private static PostMedia WithPost(PostMedia media, Guid postId) => new()
    {
        PostId = postId, Position = media.Position, FileName = media.FileName, ContentType = media.ContentType,
        Bytes = media.Bytes, Length = media.Length, AltText = media.AltText,
    };

    // Queued again at dueAt with a fresh count of attempts; a held one stays held until its channel is back.
    private static void Requeue(Delivery delivery, DateTimeOffset dueAt)
    {
        delivery.DueAt = dueAt;
        if (delivery.State == DeliveryStates.Held && delivery.Channel.State != ChannelStates.Active)
        {
            return;
        }
        delivery.State = DeliveryStates.Queued;
        delivery.HeldAt = null;
        delivery.Attempts = 0;
        delivery.Reason = null;
        delivery.CancelRequested = false;
    }

    // Loads the post for a change, with its deliveries' rows locked so that no publisher claims one meanwhile.
    private async Task<Post> LockAsync(Guid workspaceId, Guid postId, uint? expectedVersion, CancellationToken cancellationToken)
    {
        var post = await db.Posts.SingleOrDefaultAsync(p => p.Id == postId && p.WorkspaceId == workspaceId, cancellationToken)
            ?? throw new PostNotFoundException(postId);
        if (expectedVersion is { } version && version != post.Version)
        {
            throw new PostConflictException(ChangedMeanwhile);
        }
        await db.Deliveries.FromSql($"SELECT * FROM deliveries WHERE post_id = {postId} FOR UPDATE")
            .Include(d => d.Channel)
            .ToListAsync(cancellationToken);
        return post;
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new PostConflictException(ChangedMeanwhile);
        }
    }
}
