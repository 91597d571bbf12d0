using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// The events a workspace's members and webhooks hear about. The names are the webhook payload's "type".
public static class WorkspaceEventTypes
{
    public const string PostPublished = "post.published";
    public const string PostFailed = "post.failed";
    public const string PostHeld = "post.held";
    public const string ChannelNeedsReconnect = "channel.needs_reconnect";
    public const string ChannelAccessEnding = "channel.access_ending";
    // Sent only by a webhook's "Send test" button.
    public const string Test = "webhook.test";

    public static readonly string[] All = [PostPublished, PostFailed, PostHeld, ChannelNeedsReconnect, ChannelAccessEnding];

    public static string Describe(string type) => type switch
    {
        PostPublished => "Post published",
        PostFailed => "Post failed",
        PostHeld => "Post held",
        ChannelNeedsReconnect => "Channel needs reconnecting",
        ChannelAccessEnding => "Channel access ending soon",
        Test => "Test",
        _ => type,
    };
}

// Something that happened in a workspace, as its producer tells it: a title and a sentence for people, a link into
// the app (a path), and the facts a webhook's receiver needs (Data, the payload's "data" object).
public sealed record WorkspaceEvent(Guid WorkspaceId, string Type, string Title, string Body, string? Link, IReadOnlyDictionary<string, string?> Data)
{
    // When set, at most one event with this key is ever recorded (a warning raised by a periodic check).
    public string? DedupKey { get; init; }
}

// How producers (Publishing, Channels) raise events. Recording is a row in the producer's own database context, so an
// outcome and its event are saved together; NotificationFanOut turns the rows into notifications, mail and webhooks.
public interface IWorkspaceEvents
{
    // Staged in the caller's context: saved, with whatever else it holds, by the caller's next SaveChanges.
    void Add(WorkspaceEvent workspaceEvent);

    // Saved at once, on its own (in the context's transaction when one is open), for producers that write with
    // ExecuteUpdate and have nothing staged to save it with.
    Task RecordAsync(WorkspaceEvent workspaceEvent, CancellationToken cancellationToken);
}

internal sealed class WorkspaceEvents(SosyabotDbContext db, TimeProvider time) : IWorkspaceEvents
{
    public void Add(WorkspaceEvent workspaceEvent) => db.Add(ToRow(workspaceEvent));

    public async Task RecordAsync(WorkspaceEvent workspaceEvent, CancellationToken cancellationToken)
    {
        var row = ToRow(workspaceEvent);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO workspace_events (id, workspace_id, type, title, body, link, data, occurred_at, dedup_key)
            VALUES ({row.Id}, {row.WorkspaceId}, {row.Type}, {row.Title}, {row.Body}, {row.Link}::text, {row.Data}::jsonb, {row.OccurredAt},
                    {row.DedupKey}::text)
            ON CONFLICT DO NOTHING
            """, cancellationToken);
    }

    private RecordedEvent ToRow(WorkspaceEvent e) => new()
    {
        WorkspaceId = e.WorkspaceId,
        Type = e.Type,
        Title = Truncate(e.Title, 200),
        Body = Truncate(e.Body, 2000),
        Link = e.Link,
        Data = JsonSerializer.Serialize(e.Data),
        OccurredAt = time.GetUtcNow(),
        DedupKey = e.DedupKey,
    };

    internal static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}

// The outbox: one row per event, fanned out once (FannedOutAt) by whichever node gets to it first.
public sealed class RecordedEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Type { get; init; }
    public required string Title { get; init; }
    public required string Body { get; init; }
    public string? Link { get; init; }
    // The payload's "data" object, as JSON.
    public required string Data { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public string? DedupKey { get; init; }
    public DateTimeOffset? FannedOutAt { get; set; }
}

internal sealed class RecordedEventConfiguration : IEntityTypeConfiguration<RecordedEvent>
{
    public void Configure(EntityTypeBuilder<RecordedEvent> builder)
    {
        builder.ToTable("workspace_events");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Type).HasMaxLength(50);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Body).HasMaxLength(2000);
        builder.Property(e => e.Link).HasMaxLength(500);
        builder.Property(e => e.Data).HasColumnType("jsonb");
        builder.Property(e => e.DedupKey).HasMaxLength(200);
        builder.HasIndex(e => e.DedupKey).IsUnique();
        // The fan-out's claim reads only what is not fanned out yet.
        builder.HasIndex(e => e.OccurredAt).HasFilter("fanned_out_at IS NULL");
        builder.HasOne<Workspace>().WithMany().HasForeignKey(e => e.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
    }
}
