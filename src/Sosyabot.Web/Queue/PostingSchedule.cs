using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Queue;

// The times of the week a workspace posts at, in one time zone: the workspace's default (ChannelId null), or one
// channel's own, which replaces the default for that channel while it has any slot.
public sealed class PostingSchedule
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public Guid? ChannelId { get; init; }
    // IANA id; slots are wall-clock times there, so a slot stays at 09:00 across daylight saving changes.
    public required string TimeZone { get; set; }
    public List<PostingSlot> Slots { get; init; } = [];
}

public sealed class PostingSlot
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid ScheduleId { get; init; }
    public DayOfWeek Day { get; init; }
    public TimeOnly Time { get; init; }
}

internal sealed class PostingScheduleConfiguration : IEntityTypeConfiguration<PostingSchedule>
{
    public void Configure(EntityTypeBuilder<PostingSchedule> builder)
    {
        builder.HasKey(s => s.Id);
        builder.Property(s => s.TimeZone).HasMaxLength(64);
        // One default per workspace (null channel included) and one schedule per channel.
        builder.HasIndex(s => new { s.WorkspaceId, s.ChannelId }).IsUnique().AreNullsDistinct(false);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(s => s.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Channel>().WithMany().HasForeignKey(s => s.ChannelId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(s => s.Slots).WithOne().HasForeignKey(s => s.ScheduleId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PostingSlotConfiguration : IEntityTypeConfiguration<PostingSlot>
{
    public void Configure(EntityTypeBuilder<PostingSlot> builder)
    {
        builder.HasKey(s => s.Id);
        builder.HasIndex(s => new { s.ScheduleId, s.Day, s.Time }).IsUnique();
    }
}
