using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

public sealed record PostDraft(
    IReadOnlyList<string?> Parts, IReadOnlyList<Guid> ChannelIds, DateTimeOffset? ScheduledAt, string? TimeZone,
    IReadOnlyList<MediaDraft>? Media = null, string? InReplyToTweetId = null, string? QuoteTweetId = null);

/// <summary>An image to attach to the first part.</summary>
public sealed record MediaDraft(string FileName, string ContentType, byte[] Bytes, string? AltText);

/// <summary>The draft could not be queued; the messages say what to change.</summary>
public sealed class DraftRejectedException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Checks a draft and stores it with one delivery per channel, before anything is sent to X.</summary>
public sealed class PublishingQueue(SosyabotDbContext db, TimeProvider time, Publisher publisher)
{
    public const int MaxParts = 25;
    public const int MaxImages = 4;
    public const int MaxAltTextLength = 1000;
    public const int MaxImageBytes = 5 * 1024 * 1024;
    public const int MaxGifBytes = 15 * 1024 * 1024;

    /// <summary>The image types X accepts in a post.</summary>
    public static readonly string[] ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    public async Task<Post> QueueAsync(Guid workspaceId, string userId, PostDraft draft, CancellationToken cancellationToken)
    {
        var channelIds = draft.ChannelIds.Distinct().ToList();
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && channelIds.Contains(c.Id))
            .ToListAsync(cancellationToken);
        return await QueueAsync(workspaceId, userId, draft, channels, cancellationToken);
    }

    /// <summary>Queues the draft for <paramref name="channels"/>, which the caller read from <paramref name="workspaceId"/>.</summary>
    public async Task<Post> QueueAsync(
        Guid workspaceId, string userId, PostDraft draft, IReadOnlyList<Channel> channels, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var parts = draft.Parts.Select(p => (p ?? "").Trim()).ToList();
        if (parts.Count == 0 || parts.All(p => p.Length == 0))
        {
            problems.Add("Write something to post.");
        }
        else if (parts.Count > MaxParts)
        {
            problems.Add($"A thread can have at most {MaxParts} parts.");
        }
        for (var i = 0; i < parts.Count && parts.Count > 0; i++)
        {
            var label = parts.Count == 1 ? "The post" : $"Part {i + 1}";
            var measured = TweetText.Measure(parts[i]);
            if (parts[i].Length == 0)
            {
                problems.Add($"{label} is empty.");
            }
            else if (measured.WeightedLength > TweetText.MaxWeightedLength)
            {
                problems.Add($"{label} is {measured.WeightedLength} characters as X counts them; the limit is {TweetText.MaxWeightedLength}.");
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
        if (media.Count > MaxImages)
        {
            problems.Add($"A post can carry at most {MaxImages} images.");
        }
        foreach (var image in media)
        {
            var limit = image.ContentType == "image/gif" ? MaxGifBytes : MaxImageBytes;
            if (!ImageTypes.Contains(image.ContentType))
            {
                problems.Add($"{image.FileName} is not a JPEG, PNG, GIF or WebP image.");
            }
            else if (image.Bytes.Length == 0 || image.Bytes.Length > limit)
            {
                problems.Add($"{image.FileName} is {image.Bytes.Length / 1024.0 / 1024.0:0.0} MB; X takes images up to {limit / 1024 / 1024} MB.");
            }
            if (image.AltText is { Length: > MaxAltTextLength })
            {
                problems.Add($"The description of {image.FileName} is longer than X's {MaxAltTextLength} characters.");
            }
            else if (Hosting.PlainText.Problem(image.AltText, multiline: true) is { } altProblem)
            {
                problems.Add($"The description of {image.FileName} {altProblem}");
            }
        }

        var channelIds = draft.ChannelIds.Distinct().ToList();
        if (channelIds.Count == 0)
        {
            problems.Add("Choose at least one channel.");
        }
        else if (channels.Count != channelIds.Count || channels.Any(c => c.WorkspaceId != workspaceId || !channelIds.Contains(c.Id)))
        {
            problems.Add("One of the chosen channels is not in this workspace.");
        }
        foreach (var channel in channels)
        {
            if (CannotPublishReason(channel) is { } reason)
            {
                problems.Add(reason);
            }
        }
        foreach (var (name, id) in new[] { ("in_reply_to_tweet_id", draft.InReplyToTweetId), ("quote_tweet_id", draft.QuoteTweetId) })
        {
            if (id is not null && !IsTweetId(id))
            {
                problems.Add($"{name} must be the numeric id of an X post.");
            }
        }

        var now = time.GetUtcNow();
        if (draft.ScheduledAt is { } scheduled && scheduled < now - TimeSpan.FromMinutes(1))
        {
            problems.Add("The scheduled time is in the past.");
        }
        if (problems.Count > 0)
        {
            throw new DraftRejectedException(problems);
        }

        var dueAt = draft.ScheduledAt is { } at && at > now ? at.ToUniversalTime() : now;
        var post = new Post
        {
            WorkspaceId = workspaceId,
            CreatedByUserId = userId,
            CreatedAt = now,
            DueAt = dueAt,
            TimeZone = draft.TimeZone,
            Parts = parts,
            InReplyToTweetId = draft.InReplyToTweetId,
            QuoteTweetId = draft.QuoteTweetId,
        };
        post.Deliveries.AddRange(channels.Select(c => new Delivery { WorkspaceId = workspaceId, ChannelId = c.Id, DueAt = dueAt }));
        post.Media.AddRange(media.Select((m, i) => new PostMedia
        {
            Position = i, FileName = m.FileName, ContentType = m.ContentType, Bytes = m.Bytes,
            AltText = string.IsNullOrWhiteSpace(m.AltText) ? null : m.AltText.Trim(),
        }));
        db.Posts.Add(post);
        await db.SaveChangesAsync(cancellationToken);
        publisher.Wake(dueAt);
        return post;
    }

    /// <summary>Why this channel cannot take a post now, in words for the person choosing it; null when it can.</summary>
    public static string? CannotPublishReason(Channel channel) =>
        channel.State != ChannelStates.Active ? $"@{channel.Handle} is {channel.State}: reconnect it first."
        : channel.Kind == ChannelKind.Cookie ? $"@{channel.Handle} is connected through a browser session, which cannot publish yet; connect it through X's consent page or with API keys."
        : channel.IsReadOnly ? ChannelGuidance.ReadOnlyChannel(channel.Handle)
        : null;

    private static bool IsTweetId(string id) => id.Length is > 0 and <= 20 && id.All(char.IsAsciiDigit);
}
