using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Sosyabot.Web.Channels;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// What the composer form posts, for a new post, an edit and a draft alike.
public sealed class ComposeInput
{
    public const string ActionPublish = "publish";
    public const string ActionDraft = "draft";
    // Add to queue: the post takes the next free slot of the posting schedule (Queue/).
    public const string ActionQueue = "queue";

    public List<string?> Parts { get; set; } = [""];

    public List<Guid> ChannelIds { get; set; } = [];

    [RegularExpression("^(now|schedule)$")]
    public string When { get; set; } = "now";

    [Display(Name = "Date and time")]
    public DateTime? ScheduledLocal { get; set; }

    [Display(Name = "Time zone"), StringLength(64)]
    public string? TimeZone { get; set; }

    [Display(Name = "Images (up to 4), or one GIF or MP4 video")]
    public List<IFormFile> Images { get; set; } = [];

    // One description per newly chosen image, in the order the images were chosen.
    public List<string?> AltTexts { get; set; } = [];

    // When editing: the images already attached that stay, each with its description.
    public List<Guid> KeptMediaIds { get; set; } = [];

    public List<string?> KeptAltTexts { get; set; } = [];

    // The post's version when the editor was opened: someone else's save in between is caught.
    public uint? Version { get; set; }

    [RegularExpression("^(publish|draft|queue)$")]
    public string Action { get; set; } = ActionPublish;

    public bool SavesDraft => Action == ActionDraft;

    public bool AddsToQueue => Action == ActionQueue;

    // The draft this form describes; problems with the time go to modelState and give null.
    public async Task<PostDraft?> ToDraftAsync(ModelStateDictionary modelState, CancellationToken cancellationToken)
    {
        // The queue chooses the time: whatever the When fields hold is not asked for.
        var scheduledAt = AddsToQueue ? null : ResolveSchedule(modelState);
        if (!modelState.IsValid)
        {
            return null;
        }
        var images = new List<MediaDraft>();
        var chosen = Images.Select((f, i) => (File: f, Index: i)).Where(c => c.File.Length > 0).ToList();
        if (chosen.Count > PublishingQueue.MaxImages)
        {
            modelState.AddModelError(string.Empty, $"A post can carry at most {PublishingQueue.MaxImages} images.");
            return null;
        }
        // Descriptions pair with files by the position the file was chosen at, empty files included. The form
        // reader keeps uploads in temporary files; each is read into memory once, and only after its length
        // and first bytes say it is an image X takes.
        foreach (var (file, index) in chosen)
        {
            var name = Path.GetFileName(file.FileName);
            await using var content = file.OpenReadStream();
            var (bytes, problem) = await ImageContent.ReadAsync(name, file.Length, content, cancellationToken);
            if (problem is not null)
            {
                modelState.AddModelError(string.Empty, problem);
                continue;
            }
            images.Add(new MediaDraft(name, bytes!, AltTexts.ElementAtOrDefault(index)));
        }
        return modelState.IsValid ? new PostDraft(Parts, ChannelIds, scheduledAt, TimeZone, images, InQueue: AddsToQueue) : null;
    }

    public IReadOnlyList<KeptMedia> Kept() => KeptMediaIds.Select((id, i) => new KeptMedia(id, KeptAltTexts.ElementAtOrDefault(i))).ToList();

    // Fills the form from a saved post, its time shown in the zone it was scheduled in.
    public static ComposeInput From(Post post, IEnumerable<PostLifecycle.MediaSummary> media, IEnumerable<Guid> channelIds, DateTimeOffset now)
    {
        var zone = post.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(post.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var kept = media.ToList();
        return new ComposeInput
        {
            Parts = [.. post.Parts],
            ChannelIds = [.. channelIds],
            When = post.DueAt > now ? "schedule" : "now",
            ScheduledLocal = post.DueAt > now ? TimeZoneInfo.ConvertTime(post.DueAt, zone).DateTime : null,
            TimeZone = zone.Id,
            KeptMediaIds = [.. kept.Select(m => m.Id)],
            KeptAltTexts = [.. kept.Select(m => m.AltText)],
            Version = post.Version,
        };
    }

    private DateTimeOffset? ResolveSchedule(ModelStateDictionary modelState)
    {
        if (When != "schedule")
        {
            return null;
        }
        if (ScheduledLocal is not { } local)
        {
            if (!SavesDraft)
            {
                modelState.AddModelError("Compose.ScheduledLocal", "Choose the date and time to publish at.");
            }
            return null;
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out var zone))
        {
            modelState.AddModelError("Compose.TimeZone", $"Unknown time zone '{TimeZone}'. Use an IANA name such as Europe/Istanbul.");
            return null;
        }
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            modelState.AddModelError("Compose.ScheduledLocal",
                $"{local:yyyy-MM-dd HH:mm} does not exist in {zone.Id}: the clocks skip it. Choose another time.");
            return null;
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero);
    }
}

// A channel as the composer offers it, with when its access ends (to warn about posts scheduled past it), the
// longest post it takes, and why it cannot take a video (null when it can).
public sealed record ChannelOption(Guid Id, string Handle, string? AvatarUrl, bool CanPublish, string? WhyNot, DateTimeOffset? AccessEndsAt)
{
    public int MaxLength { get; init; } = ChannelAbility.StandardPostLength;

    public string? WhyNoVideo { get; init; }

    // postWaitsOnIt: an edited post already goes to this channel, and may stay held for it
    // while it needs reconnecting (untick it to drop it).
    public static ChannelOption From(Channel channel, XIntegrationState integration, bool postWaitsOnIt = false)
    {
        var option = postWaitsOnIt && channel.State is ChannelStates.NeedsReconnect or ChannelStates.Disconnected
            ? new ChannelOption(channel.Id, channel.Handle, channel.AvatarUrl, true, "needs reconnecting: the post is held for it", null)
            : ChannelAbility.ToPublish(channel, integration.WebPathEnabled) is { } refusal
                ? new ChannelOption(channel.Id, channel.Handle, channel.AvatarUrl, false, refusal.Label, null)
                : new ChannelOption(channel.Id, channel.Handle, channel.AvatarUrl, true, null, ChannelAccess.EndsAt(channel, integration));
        return option with
        {
            MaxLength = ChannelAbility.MaxPostLength(channel),
            WhyNoVideo = ChannelAbility.ToPublishVideo(channel, integration.WebPathEnabled) is { Label: ChannelAbility.NoVideo } noVideo ? noVideo.Label : null,
        };
    }
}

public enum ComposerMode
{
    New,
    EditScheduled,
    EditDraft,
}

// What the composer partial needs: the form, the channels to choose from, and the images an edit keeps.
public sealed record ComposerView(
    ComposeInput Compose, IReadOnlyList<ChannelOption> Channels, IReadOnlyList<PostLifecycle.MediaSummary> ExistingMedia, ComposerMode Mode);
