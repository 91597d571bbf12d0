using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

public sealed record PostDraft(
    IReadOnlyList<string?> Parts, IReadOnlyList<Guid> ChannelIds, DateTimeOffset? ScheduledAt, string? TimeZone,
    IReadOnlyList<MediaDraft>? Media = null, string? InReplyToTweetId = null, string? QuoteTweetId = null, bool InQueue = false);

// An image to attach to the first part. Its type is what its bytes are (null: not an accepted image), never what
// the sender declared.
public sealed record MediaDraft(string FileName, byte[] Bytes, string? AltText)
{
    public string? ContentType { get; } = ImageContent.TypeOf(Bytes);

    // Only a label for people, so whatever the sender called the file is stored: without control characters, and cut to
    // the column's 255.
    public string FileName { get; init; } = AsLabel(FileName);

    private static string AsLabel(string name)
    {
        var label = string.Concat(name.Where(c => !char.IsControl(c)));
        var length = Math.Min(label.Length, PostMedia.MaxFileNameLength);
        if (length < label.Length && char.IsHighSurrogate(label[length - 1]))
        {
            length--;
        }
        return length == 0 ? "image" : label[..length];
    }
}

// An image already attached to a post that an edit keeps, with its (possibly new) description.
public sealed record KeptMedia(Guid Id, string? AltText);

// The draft could not be queued; the messages say what to change.
public sealed class DraftRejectedException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

// Checks a draft and stores it with one delivery per channel, before anything is sent to X.
public sealed class PublishingQueue(
    SosyabotDbContext db, PostCommits commits, TimeProvider time, Publisher publisher, IOptions<PublishingOptions> options, IQueueSlots queueSlots)
{
    public const int MaxParts = 25;

    // What the longest post can weigh (a long post's 25,000; every character weighs at least 1), and low enough that
    // measuring stays cheap.
    public const int MaxPartChars = ChannelAbility.LongPostLength;
    public const int MaxImages = 4;
    public const int MaxAltTextLength = 1000;

    public async Task<Post> QueueAsync(Guid workspaceId, string userId, PostDraft draft, CancellationToken cancellationToken)
    {
        var channels = await ChannelsAsync(workspaceId, draft.ChannelIds, cancellationToken);
        return await QueueAsync(workspaceId, userId, draft, channels, cancellationToken);
    }

    // Queues the draft for channels, which the caller read from workspaceId.
    public async Task<Post> QueueAsync(
        Guid workspaceId, string userId, PostDraft draft, IReadOnlyList<Channel> channels, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var parts = Normalize(draft.Parts);
        ThrowIfProblems(Problems(draft, parts, channels, draft.Media?.Count ?? 0, workspaceId, asDraft: false));
        if (channels.Any(c => c.Kind == ChannelKind.Cookie)
            && await db.Options.AnyAsync(o => o.Key == X.XWebSettings.StatusKey && o.Value == X.OptionKeys.StatusDisabled, cancellationToken))
        {
            ThrowIfProblems([.. channels.Select(c => ChannelAbility.ToPublish(c, webPathOn: false)?.Reason).OfType<string>()]);
        }
        await ThrowIfOverQuotaAsync(workspaceId, BytesOf(draft.Media), 0, cancellationToken);
        Post post;
        if (draft.InQueue)
        {
            // Added to the queue: the slot is chosen and taken in one transaction, which holds the queue's lock until it commits.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            post = Queued(await queueSlots.TakeNextFreeAsync(workspaceId, channels, cancellationToken));
            db.Posts.Add(post);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        else
        {
            post = Queued(DueAt(draft, now));
            await commits.StoreAsync(post, cancellationToken);
        }
        publisher.Wake(post.DueAt);
        return post;

        Post Queued(DateTimeOffset dueAt)
        {
            var queued = NewPost(workspaceId, userId, draft, parts, now, dueAt);
            queued.Deliveries.AddRange(channels.Select(c => new Delivery { WorkspaceId = workspaceId, ChannelId = c.Id, DueAt = dueAt }));
            return queued;
        }
    }

    // Keeps the draft without queueing it: no channel or time is needed, and nothing goes to X until it is published.
    public async Task<Post> SaveDraftAsync(Guid workspaceId, string userId, PostDraft draft, CancellationToken cancellationToken)
    {
        var channels = await ChannelsAsync(workspaceId, draft.ChannelIds, cancellationToken);
        var now = time.GetUtcNow();
        var parts = Normalize(draft.Parts);
        ThrowIfProblems(Problems(draft, parts, channels, draft.Media?.Count ?? 0, workspaceId, asDraft: true));
        await ThrowIfOverQuotaAsync(workspaceId, BytesOf(draft.Media), 0, cancellationToken);
        var post = NewPost(workspaceId, userId, draft, parts, now, DueAt(draft, now));
        post.IsDraft = true;
        post.DraftChannelIds = [.. channels.Select(c => c.Id)];
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancellationToken);
        return post;
    }

    internal async Task<List<Channel>> ChannelsAsync(Guid workspaceId, IReadOnlyList<Guid> channelIds, CancellationToken cancellationToken)
    {
        var ids = channelIds.Distinct().ToList();
        return await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && ids.Contains(c.Id))
            .ToListAsync(cancellationToken);
    }

    // The bytes of images the workspace keeps: those of posts some channel still has to publish. Published,
    // cancelled and deleted posts' images are dropped (DeliverySender, PostLifecycle.CancelAsync), drafts' go with them.
    public async Task<long> MediaBytesInUseAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        await db.PostMedia
            .Where(m => m.Bytes != null && db.Posts.Any(p => p.Id == m.PostId && p.WorkspaceId == workspaceId))
            .SumAsync(m => (long)m.Length, cancellationToken);

    // New images may not take the workspace past its quota; freeing counts images the same change removes.
    internal async Task ThrowIfOverQuotaAsync(Guid workspaceId, long added, long freeing, CancellationToken cancellationToken)
    {
        if (added == 0)
        {
            return;
        }
        var limit = options.Value.WorkspaceMediaQuotaBytes;
        var used = await MediaBytesInUseAsync(workspaceId, cancellationToken) - freeing;
        if (used + added > limit)
        {
            ThrowIfProblems([QuotaMessage(added, used, limit)]);
        }
    }

    internal static long BytesOf(IReadOnlyList<MediaDraft>? media) => media?.Sum(m => (long)m.Bytes.Length) ?? 0;

    public static string QuotaMessage(long adding, long used, long limit) =>
        $"These images ({ImageContent.Megabytes(adding)}) would take the workspace over its storage limit: " +
        $"{ImageContent.Megabytes(used)} of {ImageContent.Megabytes(limit)} is in use by posts not yet published. " +
        "Images are kept only until every channel has published their post; delete drafts or cancel scheduled posts " +
        "you no longer need to free space, or ask the instance admin to raise WORKSPACE_MEDIA_QUOTA_MB.";

    internal static List<string> Normalize(IReadOnlyList<string?> parts)
    {
        var trimmed = parts.Select(p => (p ?? "").Trim()).DefaultIfEmpty("").ToList();
        // Empty trailing parts are the composer's blank "add a part" boxes, not parts.
        while (trimmed.Count > 1 && trimmed[^1].Length == 0)
        {
            trimmed.RemoveAt(trimmed.Count - 1);
        }
        return trimmed;
    }

    internal static DateTimeOffset DueAt(PostDraft draft, DateTimeOffset now) =>
        draft.ScheduledAt is { } at && at > now ? at.ToUniversalTime() : now;

    internal static void ThrowIfProblems(List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new DraftRejectedException(problems.Distinct().ToList());
        }
    }

    internal static List<PostMedia> NewMedia(IReadOnlyList<MediaDraft>? media, int firstPosition) =>
        (media ?? []).Select((m, i) => new PostMedia
        {
            Position = firstPosition + i, FileName = m.FileName, ContentType = m.ContentType!, Bytes = m.Bytes, Length = m.Bytes.Length,
            AltText = string.IsNullOrWhiteSpace(m.AltText) ? null : m.AltText.Trim(),
        }).ToList();

    private static Post NewPost(Guid workspaceId, string userId, PostDraft draft, List<string> parts, DateTimeOffset now, DateTimeOffset dueAt)
    {
        var post = new Post
        {
            WorkspaceId = workspaceId,
            CreatedByUserId = userId,
            CreatedAt = now,
            DueAt = dueAt,
            TimeZone = draft.TimeZone is { } zone && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out var known) ? known.Id : null,
            Parts = parts,
            InReplyToTweetId = draft.InReplyToTweetId,
            QuoteTweetId = draft.QuoteTweetId,
        };
        post.Media.AddRange(NewMedia(draft.Media, 0));
        return post;
    }

    // Everything wrong with a draft, one message per problem. imageCount counts kept and new
    // images; a draft being saved (not queued) needs no channel and may still be over the length limit.
    internal List<string> Problems(
        PostDraft draft, List<string> parts, IReadOnlyList<Channel> channels, int imageCount, Guid workspaceId, bool asDraft,
        IReadOnlySet<Guid>? mayWaitOn = null, IReadOnlyCollection<string>? keptTypes = null)
    {
        var problems = new List<string>();
        var maxLength = ChannelAbility.MaxPostLength(channels);
        if (parts.All(p => p.Length == 0) && (!asDraft || imageCount == 0))
        {
            problems.Add("Write something to post.");
        }
        else if (parts.Count > MaxParts)
        {
            problems.Add($"A thread can have at most {MaxParts} parts.");
        }
        for (var i = 0; i < Math.Min(parts.Count, MaxParts); i++)
        {
            var label = parts.Count == 1 ? "The post" : $"Part {i + 1}";
            if (parts[i].Length > MaxPartChars)
            {
                problems.Add($"{label} is {parts[i].Length:N0} characters long, " +
                    $"far over the limit of {maxLength:N0} characters as X counts them.");
                continue;
            }
            TweetLength measured;
            try
            {
                measured = TweetText.Measure(parts[i], TwitterTextConfig.V3 with { MaxWeightedLength = maxLength });
            }
            catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
            {
                problems.Add($"{label} could not be measured the way X counts: shorten it or remove unusual runs of characters.");
                continue;
            }
            if (parts[i].Length == 0)
            {
                if (!asDraft && parts.Count > 1)
                {
                    problems.Add($"{label} is empty: write it or remove it.");
                }
            }
            else if (measured.WeightedLength > maxLength)
            {
                if (!asDraft)
                {
                    problems.Add($"{label} is {measured.WeightedLength:N0} characters as X counts them; the limit is {maxLength:N0}" +
                        LongPostHint(channels, maxLength));
                }
            }
            else if (Hosting.PlainText.Problem(parts[i], multiline: true) is { } textProblem)
            {
                problems.Add($"{label} {textProblem}");
            }
            else if (!measured.IsValid)
            {
                problems.Add($"{label} contains characters X does not accept (U+FFFE, U+FEFF or U+FFFF).");
            }
        }

        var media = draft.Media ?? [];
        var types = (keptTypes ?? []).Concat(media.Select(m => m.ContentType).OfType<string>()).ToList();
        if (imageCount > MaxImages)
        {
            problems.Add($"A post can carry at most {MaxImages} images.");
        }
        else if (imageCount > 1 && types.Any(ImageContent.GoesAlone))
        {
            // X uploads a GIF as an animation (tweet_gif) and a video as tweet_video; a post carries one of those or up to four images.
            problems.Add(types.Any(ImageContent.IsVideo)
                ? "A video goes alone: X takes one video, one GIF or up to 4 images in a post."
                : "A GIF goes alone: X takes one GIF or up to 4 other images in a post.");
        }
        foreach (var image in media)
        {
            if (ImageContent.Problem(image.FileName, image.Bytes, image.Bytes.Length) is { } imageProblem)
            {
                problems.Add(imageProblem);
            }
            problems.AddRange(AltTextProblems(image.FileName, image.AltText));
        }

        var channelIds = draft.ChannelIds.Distinct().ToList();
        if (channelIds.Count == 0 && !asDraft)
        {
            problems.Add("Choose at least one channel.");
        }
        else if (channels.Count != channelIds.Count || channels.Any(c => c.WorkspaceId != workspaceId || !channelIds.Contains(c.Id)))
        {
            problems.Add("One of the chosen channels is not in this workspace.");
        }
        if (!asDraft)
        {
            var video = types.Any(ImageContent.IsVideo);
            problems.AddRange(channels
                .Where(c => !(mayWaitOn?.Contains(c.Id) == true && c.State is ChannelStates.NeedsReconnect or ChannelStates.Disconnected))
                .Select(c => (video ? ChannelAbility.ToPublishVideo(c) : ChannelAbility.ToPublish(c))?.Reason).OfType<string>());
        }
        foreach (var (name, id) in new[] { ("in_reply_to_tweet_id", draft.InReplyToTweetId), ("quote_tweet_id", draft.QuoteTweetId) })
        {
            if (id is not null && !IsTweetId(id))
            {
                problems.Add($"{name} must be the numeric id of an X post.");
            }
        }
        if (draft.ScheduledAt is { } scheduled && scheduled < time.GetUtcNow() - TimeSpan.FromMinutes(1))
        {
            problems.Add("The scheduled time is in the past.");
        }
        return problems;
    }

    // Which chosen channel holds a long post back, when another chosen one could take it.
    private static string LongPostHint(IReadOnlyList<Channel> channels, int maxLength)
    {
        if (maxLength >= ChannelAbility.LongPostLength || !channels.Any(c => ChannelAbility.MaxPostLength(c) > maxLength))
        {
            return ". Shorten it or split it into a thread.";
        }
        var standard = channels.Where(c => ChannelAbility.MaxPostLength(c) == maxLength).Select(c => "@" + c.Handle);
        return $" because {string.Join(", ", standard)} {(channels.Count(c => ChannelAbility.MaxPostLength(c) == maxLength) == 1 ? "has" : "have")} " +
            "no X subscription with long posts. Shorten it, split it into a thread, or post it to those channels separately.";
    }

    internal static IEnumerable<string> AltTextProblems(string fileName, string? altText)
    {
        if (altText is { Length: > MaxAltTextLength })
        {
            yield return $"The description of {fileName} is longer than X's {MaxAltTextLength} characters.";
        }
        else if (Hosting.PlainText.Problem(altText, multiline: true) is { } altProblem)
        {
            yield return $"The description of {fileName} {altProblem}";
        }
    }

    private static bool IsTweetId(string id) => id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit);
}
