using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Calendar;

// How a person wants times shown, wherever they work: null fields fall back to the workspace's default.
public sealed class UserDisplayPreference
{
    public required string UserId { get; init; }
    // An IANA zone id (Europe/Istanbul).
    public string? TimeZone { get; set; }
    public bool? Clock24 { get; set; }
}

// What a workspace's owner or admin chose for members who chose nothing: null fields fall back to the browser.
public sealed class WorkspaceDisplayPreference
{
    public Guid WorkspaceId { get; init; }
    public string? TimeZone { get; set; }
    public bool? Clock24 { get; set; }
}

internal sealed class UserDisplayPreferenceConfiguration : IEntityTypeConfiguration<UserDisplayPreference>
{
    public void Configure(EntityTypeBuilder<UserDisplayPreference> builder)
    {
        builder.HasKey(p => p.UserId);
        builder.Property(p => p.TimeZone).HasMaxLength(64);
        builder.HasOne<AppUser>().WithOne().HasForeignKey<UserDisplayPreference>(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WorkspaceDisplayPreferenceConfiguration : IEntityTypeConfiguration<WorkspaceDisplayPreference>
{
    public void Configure(EntityTypeBuilder<WorkspaceDisplayPreference> builder)
    {
        builder.HasKey(p => p.WorkspaceId);
        builder.Property(p => p.TimeZone).HasMaxLength(64);
        builder.HasOne<Workspace>().WithOne().HasForeignKey<WorkspaceDisplayPreference>(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
