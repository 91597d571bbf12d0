using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Analytics;

// X's public metrics of one published post (a delivery's first tweet) as read at FetchedAt: one point of its time series.
public sealed class MetricSnapshot
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid PostId { get; init; }
    public Guid DeliveryId { get; init; }
    public Guid ChannelId { get; init; }
    public required string TweetId { get; init; }
    public DateTimeOffset FetchedAt { get; init; }
    public long Impressions { get; init; }
    public long Likes { get; init; }
    public long Reposts { get; init; }
    public long Replies { get; init; }
    public long Quotes { get; init; }
    public long Bookmarks { get; init; }
}

// A workspace's choice about reading metrics from X. No row means off: reads are billed, so nobody pays for them unasked.
public sealed class WorkspaceAnalytics
{
    public Guid WorkspaceId { get; init; }
    public bool MetricsEnabled { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedByUserId { get; set; }
}

// What reading metrics has cost a channel so far (requests to X, posts read) and how its last attempt went.
public sealed class ChannelMetricsUsage
{
    public Guid ChannelId { get; init; }
    public Guid WorkspaceId { get; init; }
    public long Requests { get; set; }
    public long PostsRead { get; set; }
    public DateTimeOffset? LastFetchedAt { get; set; }
    // Nothing more is read for this channel before this (X's rate window, or our budget of it).
    public DateTimeOffset? PausedUntil { get; set; }
    public string? Note { get; set; }
}

internal sealed class MetricSnapshotConfiguration : IEntityTypeConfiguration<MetricSnapshot>
{
    public void Configure(EntityTypeBuilder<MetricSnapshot> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.TweetId).HasMaxLength(32);
        // A post's series, and "when was this delivery last read" for the schedule.
        builder.HasIndex(s => new { s.DeliveryId, s.FetchedAt });
        // The workspace's analytics page and export.
        builder.HasIndex(s => new { s.WorkspaceId, s.FetchedAt });
        builder.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Delivery>().WithMany().HasForeignKey(s => s.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkspaceAnalyticsConfiguration : IEntityTypeConfiguration<WorkspaceAnalytics>
{
    public void Configure(EntityTypeBuilder<WorkspaceAnalytics> builder)
    {
        builder.HasKey(a => a.WorkspaceId);
        builder.Property(a => a.MetricsEnabled).HasDefaultValue(false);
        builder.Property(a => a.UpdatedByUserId).HasMaxLength(450);
        builder.HasOne<Workspace>().WithOne().HasForeignKey<WorkspaceAnalytics>(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class ChannelMetricsUsageConfiguration : IEntityTypeConfiguration<ChannelMetricsUsage>
{
    public void Configure(EntityTypeBuilder<ChannelMetricsUsage> builder)
    {
        builder.HasKey(u => u.ChannelId);
        builder.Property(u => u.Note).HasMaxLength(1000);
        builder.HasIndex(u => u.WorkspaceId);
        builder.HasOne<Channel>().WithOne().HasForeignKey<ChannelMetricsUsage>(u => u.ChannelId).OnDelete(DeleteBehavior.Cascade);
    }
}
