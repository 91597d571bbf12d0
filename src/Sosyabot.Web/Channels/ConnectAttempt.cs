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
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => a.CreatedAt);
    }
}
