using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// A workspace's outgoing webhook: events are POSTed to Url, signed with the secret (kept only encrypted).
public sealed class Webhook
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Url { get; set; }
    public required string SecretProtected { get; set; }
    public List<string> Events { get; set; } = [];
    public bool Enabled { get; set; } = true;
    // Why Sosyabot turned it off (the receiver answered 410 Gone); null when a person did or it is on.
    public string? DisabledReason { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

public static class WebhookDeliveryStates
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
}

// One event on its way to one webhook, with every attempt in Attempts.
public sealed class WebhookDelivery
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WebhookId { get; init; }
    public Guid? EventId { get; init; }
    public required string EventType { get; init; }
    // The exact body sent on every attempt, so a receiver can de-duplicate by its id.
    public required string Payload { get; init; }
    public string State { get; set; } = WebhookDeliveryStates.Pending;
    public int AttemptCount { get; set; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    // A node sending it holds it until then; a node that died mid-send lets it go again afterwards.
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public List<WebhookAttempt> Attempts { get; init; } = [];
}

public sealed class WebhookAttempt
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid DeliveryId { get; init; }
    public DateTimeOffset AttemptedAt { get; init; }
    public int? StatusCode { get; init; }
    public int DurationMilliseconds { get; init; }
    // What went wrong before any answer (refused address, timeout, connection refused).
    public string? Error { get; init; }
    // The start of the receiver's answer, for the log.
    public string? ResponseExcerpt { get; init; }
}

internal sealed class WebhookConfiguration : IEntityTypeConfiguration<Webhook>
{
    public void Configure(EntityTypeBuilder<Webhook> builder)
    {
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Url).HasMaxLength(2000);
        builder.Property(w => w.SecretProtected).HasMaxLength(1000);
        builder.Property(w => w.Events).HasDefaultValueSql("'{}'").Metadata.SetValueComparer(new StringListComparer());
        builder.Property(w => w.DisabledReason).HasMaxLength(500);
        builder.Property(w => w.CreatedByUserId).HasMaxLength(450);
        builder.HasIndex(w => w.WorkspaceId);
        builder.HasOne<Workspace>().WithMany().HasForeignKey(w => w.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.HasKey(d => d.Id);
        builder.Property(d => d.EventType).HasMaxLength(50);
        builder.Property(d => d.State).HasMaxLength(20);
        builder.HasIndex(d => new { d.WebhookId, d.CreatedAt });
        // The sender's claim: what is due.
        builder.HasIndex(d => d.NextAttemptAt).HasFilter("state = 'pending'");
        builder.HasOne<Webhook>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Error).HasMaxLength(500);
        builder.Property(a => a.ResponseExcerpt).HasMaxLength(500);
        builder.HasIndex(a => a.DeliveryId);
    }
}
