using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sosyabot.Web.Channels;

// One Connect -> X click waiting for X's callback. The row is what makes OAuth state single-use
// across every node: the callback deletes it, and a second callback with the same state finds nothing.
public sealed class ConnectAttempt
{
    public Guid Id { get; init; } = Guid.NewGuid();
    public Guid WorkspaceId { get; init; }
    public required string UserId { get; init; }
    public Guid? ReconnectChannelId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class ConnectAttemptConfiguration : IEntityTypeConfiguration<ConnectAttempt>
{
    public void Configure(EntityTypeBuilder<ConnectAttempt> builder)
    {
        builder.ToTable("connect_attempts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Id).HasColumnName("id");
        builder.Property(a => a.WorkspaceId).HasColumnName("workspace_id");
        builder.Property(a => a.UserId).HasColumnName("user_id");
        builder.Property(a => a.ReconnectChannelId).HasColumnName("reconnect_channel_id");
        builder.Property(a => a.CreatedAt).HasColumnName("created_at");
        builder.HasIndex(a => a.CreatedAt);
    }
}
