using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Notifications;

// "Send test": a webhook.test delivery, sent at once through the same path (and retries) as any event.
public sealed class WebhookTests(SosyabotDbContext db, WebhookSender sender, TimeProvider time)
{
    public async Task<(bool Delivered, string Message)> SendAsync(Webhook webhook, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var delivery = new WebhookDelivery
        {
            WebhookId = webhook.Id,
            EventType = WorkspaceEventTypes.Test,
            Payload = NotificationFanOut.Payload(Guid.CreateVersion7(), WorkspaceEventTypes.Test, now, webhook.WorkspaceId,
                new JsonObject { ["message"] = "A test from Sosyabot's \"Send test\" button." }),
            CreatedAt = now,
            NextAttemptAt = null,
            // Held by this request while it sends, so that the background sender does not send it as well.
            ClaimedUntil = now + TimeSpan.FromMinutes(2),
        };
        db.Add(delivery);
        await db.SaveChangesAsync(cancellationToken);
        var attempt = await sender.AttemptAsync(delivery.Id, cancellationToken);
        var state = await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.Id == delivery.Id).Select(d => d.State).SingleAsync(cancellationToken);
        var answer = attempt.StatusCode is { } status ? $"answered {status} in {attempt.DurationMilliseconds} ms" : attempt.Error;
        return state == WebhookDeliveryStates.Succeeded
            ? (true, $"Test delivered: {webhook.Url} {answer}.")
            : (false, $"Test not accepted: {webhook.Url} {answer}" + (state == WebhookDeliveryStates.Pending ? " It will be retried." : ""));
    }
}
