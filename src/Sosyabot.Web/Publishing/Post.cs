using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

// What a person wrote: one or more parts (a thread), for one or more channels, now or at a time.
public sealed class Post
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    // The IANA zone the author scheduled in, to show the time back the way they entered it.
    public string? TimeZone { get; set; }
    public required List<string> Parts { get; set; }
    public string? InReplyToTweetId { get; set; }
    public string? QuoteTweetId { get; set; }
    // Saved without being queued: no deliveries until it is published; the chosen channels wait in DraftChannelIds.
    public bool IsDraft { get; set; }
    public List<Guid> DraftChannelIds { get; set; } = [];
    // PostgreSQL's xmin: two people editing the same post cannot overwrite each other unseen.
    public uint Version { get; set; }
    public List<Delivery> Deliveries { get; init; } = [];
    // Images of the first part, in order.
    public List<PostMedia> Media { get; init; } = [];
}

// An image attached to a post, kept until every delivery has uploaded it to X.
public sealed class PostMedia
{
    public const int MaxFileNameLength = 255;

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PostId { get; init; }
    public int Position { get; init; }
    public required string FileName { get; init; }
    public required string ContentType { get; init; }
    // Null once every delivery has X's media id for it: the bytes are not needed again.
    public byte[]? Bytes { get; set; }
    public int Length { get; init; }
    public string? AltText { get; set; }
}

public static class DeliveryStates
{
    public const string Queued = "queued";
    public const string Publishing = "publishing";
    public const string Published = "published";
    public const string Failed = "failed";
    public const string WaitingForRateLimit = "waiting_for_rate_limit";
    // The channel needs a person (reconnect): kept, and sent once the channel is back.
    public const string Held = "held";
    public const string Cancelled = "cancelled";
    // Published, then deleted from X by a person.
    public const string Deleted = "deleted";

    public static readonly string[] All = [Queued, Publishing, Published, Failed, WaitingForRateLimit, Held, Cancelled, Deleted];

    // Not sent yet and not being sent: a person may still change or cancel these.
    public static readonly string[] Pending = [Queued, WaitingForRateLimit, Held, Failed];

    // Nothing more will happen to these on their own.
    public static bool IsFinal(string state) => state is Published or Cancelled or Deleted;
}

// One post going to one channel. Each part's tweet id is stored the moment X returns it, so a retry
// resumes after the last part X confirmed; SendingPart marks a part whose answer may have
// been lost, which is reconciled against the account's recent posts before anything is resent.
public sealed class Delivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PostId { get; init; }
    public Guid WorkspaceId { get; init; }
    public Guid ChannelId { get; init; }
    public string State { get; set; } = DeliveryStates.Queued;
    public DateTimeOffset DueAt { get; set; }
    public int Attempts { get; set; }
    public string? Reason { get; set; }
    public List<string> TweetIds { get; set; } = [];
    public int? SendingPart { get; set; }
    public DateTimeOffset? SendingSince { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public string? ClaimedBy { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }
    // X's media ids, by position, as each upload finishes: a retry reuses them instead of uploading again.
    public List<string> XMediaIds { get; set; } = [];
    // When X forgets the uploaded media (expires_after_secs); after that they are uploaded again.
    public DateTimeOffset? XMediaExpireAt { get; set; }
    // When it was held; it is released once the channel has been connected again after this.
    public DateTimeOffset? HeldAt { get; set; }
    // A person cancelled it while it was being sent: the part in flight finishes, the rest do not go.
    public bool CancelRequested { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }

    public Post Post { get; init; } = null!;
    public Channel Channel { get; init; } = null!;
}

internal sealed class PostConfiguration : IEntityTypeConfiguration<Post>
{
    public void Configure(EntityTypeBuilder<Post> builder)
    {
        builder.HasKey(p => p.Id);
        builder.Property(p => p.TimeZone).HasMaxLength(64);
        builder.Property(p => p.Parts).HasDefaultValueSql("'{}'").Metadata.SetValueComparer(new StringListComparer());
        builder.Property(p => p.InReplyToTweetId).HasMaxLength(32);
        builder.Property(p => p.QuoteTweetId).HasMaxLength(32);
        builder.Property(p => p.IsDraft).HasDefaultValue(false);
        builder.Property(p => p.DraftChannelIds).HasDefaultValueSql("'{}'");
        builder.Property(p => p.Version).IsRowVersion();
        // History and drafts: newest due first, paged by (due_at, id) keyset.
        builder.HasIndex(p => new { p.WorkspaceId, p.IsDraft, p.DueAt, p.Id }).IsDescending(false, false, true, true);
        // The calendar: drafts and posts together, one day of a workspace at a time, in (due_at, id) order.
        builder.HasIndex(p => new { p.WorkspaceId, p.DueAt, p.Id });
        builder.HasOne<Workspaces.Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(p => p.Deliveries).WithOne(d => d.Post).HasForeignKey(d => d.PostId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(p => p.Media).WithOne().HasForeignKey(m => m.PostId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostMediaConfiguration : IEntityTypeConfiguration<PostMedia>
{
    public void Configure(EntityTypeBuilder<PostMedia> builder)
    {
        builder.HasKey(m => m.Id);
        builder.Property(m => m.FileName).HasMaxLength(PostMedia.MaxFileNameLength);
        builder.Property(m => m.ContentType).HasMaxLength(100);
        builder.Property(m => m.Length).HasDefaultValue(0);
        builder.Property(m => m.AltText).HasMaxLength(1000);
        builder.HasIndex(m => new { m.PostId, m.Position }).IsUnique();
        // The workspace quota sums the lengths of the images still kept: few rows, read without touching the bytes.
        builder.HasIndex(m => m.PostId).HasFilter("bytes IS NOT NULL").IncludeProperties(m => m.Length);
    }
}

internal sealed class DeliveryConfiguration : IEntityTypeConfiguration<Delivery>
{
    public void Configure(EntityTypeBuilder<Delivery> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.State).HasMaxLength(32);
        builder.Property(d => d.Reason).HasMaxLength(2000);
        builder.Property(d => d.TweetIds).HasDefaultValueSql("'{}'").Metadata.SetValueComparer(new StringListComparer());
        builder.Property(d => d.ClaimedBy).HasMaxLength(100);
        builder.Property(d => d.XMediaIds).HasDefaultValueSql("'{}'").Metadata.SetValueComparer(new StringListComparer());
        builder.Property(d => d.CancelRequested).HasDefaultValue(false);
        // The claim query: due work in (due_at, id) order, read with SKIP LOCKED by every publisher.
        builder.HasIndex(d => new { d.State, d.DueAt, d.Id });
        // A channel's deliveries by state: the channels page counts each one's pending posts, and removing a channel cancels
        // them and cascades to them; without it those read every pending delivery of the instance.
        builder.HasIndex(d => new { d.ChannelId, d.State });
        builder.HasIndex(d => new { d.WorkspaceId, d.PostId });
        // History filtered by state: the latest due delivery in that state bounds where the walk over posts starts.
        builder.HasIndex(d => new { d.WorkspaceId, d.State, d.DueAt });
        builder.HasIndex(d => new { d.PostId, d.ChannelId }).IsUnique();
        builder.HasOne(d => d.Channel).WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

// One node publishes for a channel at a time: it holds this row until it has sent what it claimed. A node
// that dies leaves it to lapse after the claim lease, like its claimed deliveries.
public sealed class PublishingLease
{
    public Guid ChannelId { get; init; }
    public required string HeldBy { get; init; }
    public DateTimeOffset HeldUntil { get; init; }
}

internal sealed class PublishingLeaseConfiguration : IEntityTypeConfiguration<PublishingLease>
{
    public void Configure(EntityTypeBuilder<PublishingLease> builder)
    {
        builder.HasKey(l => l.ChannelId);
        builder.Property(l => l.HeldBy).HasMaxLength(100);
        builder.HasOne<Channel>().WithMany().HasForeignKey(l => l.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
