using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Mail;

namespace Sosyabot.Web.Notifications;

// Turns recorded events into what people and receivers get: a notification row per member who wants it in the app,
// a mail per member who wants it by mail (when SMTP is configured), a pending delivery per subscribed webhook.
// Rows are claimed with SKIP LOCKED and written in one transaction with the event's FannedOutAt, so every node may
// run it and an event is fanned out once. Mail leaves after the commit through MailQueue, which keeps it in memory:
// a process stopped in that moment loses those mails, never the notifications or webhooks.
public sealed partial class NotificationFanOut(
    IDbContextFactory<SosyabotDbContext> contexts,
    MailQueue mail,
    IOptions<SiteOptions> site,
    LinkGenerator links,
    TimeProvider time,
    ILogger<NotificationFanOut> logger)
{
    private const int Batch = 50;

    private sealed record Member(string UserId, string? Email);

    // Fans out one batch of events; returns how many.
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var mails = new List<OutgoingMail>();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var events = await db.Set<RecordedEvent>()
            .FromSql($"""
                SELECT id, body, data, dedup_key, fanned_out_at, link, occurred_at, title, type, workspace_id
                FROM workspace_events WHERE fanned_out_at IS NULL
                ORDER BY occurred_at LIMIT {Batch} FOR UPDATE SKIP LOCKED
                """)
            .ToListAsync(cancellationToken);
        if (events.Count == 0)
        {
            return 0;
        }
        var now = time.GetUtcNow();
        foreach (var workspaceEvents in events.GroupBy(e => e.WorkspaceId))
        {
            var workspaceId = workspaceEvents.Key;
            var members = await db.WorkspaceMembers.AsNoTracking()
                .Where(m => m.WorkspaceId == workspaceId)
                .Select(m => new Member(m.UserId, m.User.Email))
                .ToListAsync(cancellationToken);
            var preferences = await db.Set<NotificationPreference>().AsNoTracking()
                .Where(p => p.WorkspaceId == workspaceId)
                .ToDictionaryAsync(p => (p.UserId, p.EventType), cancellationToken);
            var webhooks = await db.Set<Webhook>().AsNoTracking()
                .Where(w => w.WorkspaceId == workspaceId && w.Enabled)
                .Select(w => new { w.Id, w.Events })
                .ToListAsync(cancellationToken);
            var workspaceName = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Name).SingleAsync(cancellationToken);

            foreach (var recorded in workspaceEvents)
            {
                foreach (var member in members)
                {
                    var (inApp, email) = preferences.TryGetValue((member.UserId, recorded.Type), out var chosen)
                        ? (chosen.InApp, chosen.Email)
                        : NotificationPreference.Defaults(recorded.Type);
                    if (inApp)
                    {
                        db.Add(new Notification
                        {
                            UserId = member.UserId,
                            WorkspaceId = workspaceId,
                            EventId = recorded.Id,
                            Type = recorded.Type,
                            Title = recorded.Title,
                            Body = recorded.Body,
                            Link = recorded.Link,
                            CreatedAt = recorded.OccurredAt,
                        });
                    }
                    if (email && mail.IsConfigured && member.Email is { } address)
                    {
                        mails.Add(MailFor(address, workspaceName, recorded));
                    }
                }
                foreach (var webhook in webhooks.Where(w => w.Events.Contains(recorded.Type)))
                {
                    db.Add(new WebhookDelivery
                    {
                        WebhookId = webhook.Id,
                        EventId = recorded.Id,
                        EventType = recorded.Type,
                        Payload = Payload(recorded.Id, recorded.Type, recorded.OccurredAt, workspaceId, JsonNode.Parse(recorded.Data)),
                        CreatedAt = now,
                        NextAttemptAt = now,
                    });
                }
                recorded.FannedOutAt = now;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        foreach (var message in mails)
        {
            if (!mail.TryEnqueue(message))
            {
                LogMailDropped(logger, message.Subject);
            }
        }
        return events.Count;
    }

    // How long fanned-out events, finished webhook deliveries and read notifications are kept.
    public static readonly TimeSpan EventsKeptFor = TimeSpan.FromDays(30);
    public static readonly TimeSpan ReadNotificationsKeptFor = TimeSpan.FromDays(90);

    // Deletes what no page shows any more and no node will send, so the tables do not grow without end; returns how many rows.
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.WorkspaceEvents.Where(e => e.FannedOutAt < now - EventsKeptFor).ExecuteDeleteAsync(cancellationToken)
               + await db.WebhookDeliveries.Where(d => d.CompletedAt < now - EventsKeptFor).ExecuteDeleteAsync(cancellationToken)
               + await db.Notifications.Where(n => n.ReadAt < now - ReadNotificationsKeptFor).ExecuteDeleteAsync(cancellationToken);
    }

    // The webhook body: {id, type, occurred_at, workspace_id, data}. The id is the event's, the same on every
    // attempt and for every webhook, so a receiver can tell a retry from a new event.
    public static string Payload(Guid id, string type, DateTimeOffset occurredAt, Guid workspaceId, JsonNode? data) =>
        new JsonObject
        {
            ["id"] = id.ToString("D"),
            ["type"] = type,
            ["occurred_at"] = occurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["workspace_id"] = workspaceId.ToString("D"),
            ["data"] = data ?? new JsonObject(),
        }.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    private OutgoingMail MailFor(string address, string workspaceName, RecordedEvent recorded)
    {
        var baseUrl = site.Value.BaseUrl.TrimEnd('/');
        var body = $"{recorded.Body}\n\n";
        if (recorded.Link is { } link)
        {
            body += $"Open it: {baseUrl}{link}\n\n";
        }
        body += $"You get this mail as a member of the workspace {workspaceName}. " +
                $"Choose which events reach you: {baseUrl}{links.GetPathByPage("/Notifications/Preferences")}\n";
        return new OutgoingMail(address, $"[{workspaceName}] {recorded.Title}", body);
    }

    [LoggerMessage(LogLevel.Warning, "A notification mail could not be queued (the mail queue is full): {Subject}")]
    private static partial void LogMailDropped(ILogger logger, string subject);
}
