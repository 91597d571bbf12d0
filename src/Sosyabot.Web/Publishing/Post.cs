using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

/// <summary>What a person wrote: one or more parts (a thread), for one or more channels, now or at a time.</summary>
public sealed class Post
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; set; }
    public DateTimeOffset DueAt { get; set; }
    /// <summary>The IANA zone the author scheduled in, to show the time back the way they entered it.</summary>
    public string? TimeZone { get; set; }
    public required List<string> Parts { get; set; }
    /// <summary>The X post the first part answers, when it is a reply.</summary>
    public string? InReplyToTweetId { get; set; }
    /// <summary>The X post the first part quotes.</summary>
    public string? QuoteTweetId { get; set; }
    /// <summary>Saved without being queued: no deliveries until it is published; the chosen channels wait in <see cref="DraftChannelIds"/>.</summary>
    public bool IsDraft { get; set; }
    public List<Guid> DraftChannelIds { get; set; } = [];
    /// <summary>PostgreSQL's xmin: two people editing the same post cannot overwrite each other unseen.</summary>
    public uint Version { get; set; }
    public List<Delivery> Deliveries { get; init; } = [];
    /// <summary>Images of the first part, in order.</summary>
    public List<PostMedia> Media { get; init; } = [];
}

/// <summary>An image attached to a post, kept until every delivery has uploaded it to X.</summary>
public sealed class PostMedia
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid PostId { get; init; }
    public int Position { get; init; }
    public required string FileName { get; init; }
    public required string ContentType { get; init; }
    /// <summary>Null once every delivery has X's media id for it: the bytes are not needed again.</summary>
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
    /// <summary>The channel needs a person (reconnect): kept, and sent once the channel is back.</summary>
    public const string Held = "held";
    public const string Cancelled = "cancelled";
    /// <summary>Published, then deleted from X by a person.</summary>
    public const string Deleted = "deleted";

    public static readonly string[] All = [Queued, Publishing, Published, Failed, WaitingForRateLimit, Held, Cancelled, Deleted];

    /// <summary>Not sent yet and not being sent: a person may still change or cancel these.</summary>
    public static readonly string[] Pending = [Queued, WaitingForRateLimit, Held, Failed];

    /// <summary>Nothing more will happen to these on their own.</summary>
    public static bool IsFinal(string state) => state is Published or Cancelled or Deleted;
}

/// <summary>
/// One post going to one channel. Each part's tweet id is stored the moment X returns it, so a retry
/// resumes after the last part X confirmed; <see cref="SendingPart"/> marks a part whose answer may have
/// been lost, which is reconciled against the account's recent posts before anything is resent.
/// </summary>
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
    /// <summary>X's media ids, by position, as each upload finishes: a retry reuses them instead of uploading again.</summary>
    public List<string> XMediaIds { get; set; } = [];
    /// <summary>When X forgets the uploaded media (expires_after_secs); after that they are uploaded again.</summary>
    public DateTimeOffset? XMediaExpireAt { get; set; }
    /// <summary>When it was held; it is released once the channel has been connected again after this.</summary>
    public DateTimeOffset? HeldAt { get; set; }
    /// <summary>A person cancelled it while it was being sent: the part in flight finishes, the rest do not go.</summary>
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
        builder.Property(m => m.FileName).HasMaxLength(255);
        builder.Property(m => m.ContentType).HasMaxLength(100);
        builder.Property(m => m.Length).HasDefaultValue(0);
        builder.Property(m => m.AltText).HasMaxLength(1000);
        builder.HasIndex(m => new { m.PostId, m.Position }).IsUnique();
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
        builder.HasIndex(d => new { d.WorkspaceId, d.PostId });
        builder.HasIndex(d => new { d.PostId, d.ChannelId }).IsUnique();
        builder.HasOne(d => d.Channel).WithMany().HasForeignKey(d => d.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// One node publishes for a channel at a time: it holds this row until it has sent what it claimed. A node
/// that dies leaves it to lapse after the claim lease, like its claimed deliveries.
/// </summary>
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
