using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// One event as one member sees it in the app.
public sealed class Notification
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string UserId { get; init; }
    public Guid WorkspaceId { get; init; }
    public Guid EventId { get; init; }
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    public string? Link { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; set; }
}

// Which events reach a member of a workspace, and how. A missing row means the defaults (Defaults).
public sealed class NotificationPreference
{
    public required string UserId { get; init; }
    public Guid WorkspaceId { get; init; }
    public required string EventType { get; init; }
    public bool InApp { get; set; }
    public bool Email { get; set; }

    // Problems reach everyone in the app and by mail; a success only in the app, since a busy workspace publishes a lot.
    public static (bool InApp, bool Email) Defaults(string eventType) =>
        eventType == WorkspaceEventTypes.PostPublished ? (true, false) : (true, true);
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Type).HasMaxLength(50);
        builder.Property(n => n.Title).HasMaxLength(200);
        builder.Property(n => n.Body).HasMaxLength(2000);
        builder.Property(n => n.Link).HasMaxLength(500);
        // The list, newest first; the fan-out writes each (event, member) once.
        builder.HasIndex(n => new { n.UserId, n.WorkspaceId, n.CreatedAt });
        builder.HasIndex(n => new { n.EventId, n.UserId }).IsUnique();
        // The nav's unread count on every page: a small partial index of unread rows only.
        builder.HasIndex(n => new { n.UserId, n.WorkspaceId }).HasFilter("read_at IS NULL").HasDatabaseName("IX_notifications_unread");
        builder.HasOne<AppUser>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(n => n.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class NotificationPreferenceConfiguration : IEntityTypeConfiguration<NotificationPreference>
{
    public void Configure(EntityTypeBuilder<NotificationPreference> builder)
    {
        builder.HasKey(p => new { p.UserId, p.WorkspaceId, p.EventType });
        builder.Property(p => p.EventType).HasMaxLength(50);
        builder.HasIndex(p => p.WorkspaceId);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(p => p.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
