using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Notifications;

// POSTs pending webhook deliveries, signed, and records every attempt. A 2xx answer is success; 410 Gone turns the
// webhook off; anything else (another status, a timeout, a refused address) is retried after the next wait of
// WEBHOOKS_RETRY_SECONDS, until the waits run out. Redirects are not followed: a 3xx is a failed attempt.
public sealed partial class WebhookSender(
    IDbContextFactory<SosyabotDbContext> contexts,
    IHttpClientFactory httpClients,
    WebhookSecrets secrets,
    TimeProvider time,
    IOptions<NotificationOptions> options,
    ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";
    private const int Batch = 10;
    private const int ExcerptLength = 500;
    // Longer than one attempt can take (the 10 s timeout): a node that died mid-send frees its claim after this.
    private static readonly TimeSpan ClaimLength = TimeSpan.FromMinutes(2);

    // SqlQuery reads it through the snake_case naming convention.
    private sealed record ClaimedDelivery(Guid Id);

    // Sends what is due; returns how many deliveries it attempted.
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var claimedUntil = now + ClaimLength;
        List<Guid> claimed;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            // Chosen and locked once, in a materialized CTE, so the claim takes at most Batch (see Publisher's ClaimSql).
            var rows = await db.Database.SqlQuery<ClaimedDelivery>($"""
                WITH due AS MATERIALIZED (
                    SELECT id FROM webhook_deliveries
                    WHERE state = 'pending' AND next_attempt_at <= {now} AND (claimed_until IS NULL OR claimed_until < {now})
                    ORDER BY next_attempt_at LIMIT {Batch} FOR UPDATE SKIP LOCKED)
                UPDATE webhook_deliveries w SET claimed_until = {claimedUntil}
                FROM due WHERE w.id = due.id
                RETURNING w.id
                """).ToListAsync(cancellationToken);
            claimed = rows.ConvertAll(c => c.Id);
        }
        foreach (var id in claimed)
        {
            await AttemptAsync(id, cancellationToken);
        }
        return claimed.Count;
    }

    // One attempt of one delivery, now. Returns the attempt as recorded.
    public async Task<WebhookAttempt> AttemptAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var delivery = await db.Set<WebhookDelivery>().SingleAsync(d => d.Id == deliveryId, cancellationToken);
        var webhook = await db.Set<Webhook>().SingleAsync(w => w.Id == delivery.WebhookId, cancellationToken);
        var started = time.GetUtcNow();
        var stopwatch = Stopwatch.StartNew();
        int? status = null;
        string? error = null;
        string? excerpt = null;
        try
        {
            using var request = SignedRequest(webhook, delivery, started);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(WebhookAddresses.Timeout);
            using var response = await httpClients.CreateClient(HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            status = (int)response.StatusCode;
            excerpt = await ExcerptAsync(response, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            error = $"No answer within {WebhookAddresses.Timeout.TotalSeconds:0} seconds.";
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            error = refused.Message;
        }
        catch (CryptographicException)
        {
            error = "The webhook's secret can no longer be decrypted (its key is gone): delete the webhook and add it again.";
        }
        catch (HttpRequestException ex)
        {
            error = WorkspaceEvents.Truncate($"Could not reach the receiver: {ex.Message}", 500);
        }
        var attempt = new WebhookAttempt
        {
            DeliveryId = delivery.Id,
            AttemptedAt = started,
            StatusCode = status,
            DurationMilliseconds = (int)Math.Min(int.MaxValue, stopwatch.ElapsedMilliseconds),
            Error = error,
            ResponseExcerpt = excerpt,
        };
        db.Add(attempt);
        delivery.AttemptCount++;
        delivery.ClaimedUntil = null;
        var finished = time.GetUtcNow();
        if (status is >= 200 and < 300)
        {
            delivery.State = WebhookDeliveryStates.Succeeded;
            delivery.NextAttemptAt = null;
            delivery.CompletedAt = finished;
        }
        else if (status == 410)
        {
            delivery.State = WebhookDeliveryStates.Failed;
            delivery.NextAttemptAt = null;
            delivery.CompletedAt = finished;
            webhook.Enabled = false;
            webhook.DisabledReason = $"The receiver answered 410 Gone at {finished.UtcDateTime:yyyy-MM-dd HH:mm} UTC, so Sosyabot turned the webhook off.";
            await db.Set<WebhookDelivery>()
                .Where(d => d.WebhookId == webhook.Id && d.State == WebhookDeliveryStates.Pending && d.Id != delivery.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.State, WebhookDeliveryStates.Failed).SetProperty(d => d.NextAttemptAt, (DateTimeOffset?)null),
                    cancellationToken);
            LogDisabled(logger, webhook.Id);
        }
        else if (delivery.AttemptCount < options.Value.MaxAttempts)
        {
            delivery.NextAttemptAt = finished + options.Value.RetryDelays[delivery.AttemptCount - 1];
        }
        else
        {
            delivery.State = WebhookDeliveryStates.Failed;
            delivery.NextAttemptAt = null;
            delivery.CompletedAt = finished;
        }
        await db.SaveChangesAsync(cancellationToken);
        LogAttempt(logger, delivery.Id, webhook.Id, status, error, delivery.State);
        return attempt;
    }

    private HttpRequestMessage SignedRequest(Webhook webhook, WebhookDelivery delivery, DateTimeOffset now)
    {
        var timestamp = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var secret = secrets.Read(webhook);
        var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.UserAgent.ParseAdd("Sosyabot-Webhooks/1");
        request.Headers.Add("X-Sosyabot-Event", delivery.EventType);
        request.Headers.Add("X-Sosyabot-Delivery", delivery.Id.ToString("D"));
        request.Headers.Add("X-Sosyabot-Timestamp", timestamp);
        request.Headers.Add("X-Sosyabot-Signature", "sha256=" + Signature(secret, timestamp, delivery.Payload));
        return request;
    }

    // Hex HMAC-SHA256, keyed with the webhook's secret, of "{timestamp}.{body}": the timestamp is signed too, so a
    // receiver that refuses old timestamps cannot be replayed an old request.
    public static string Signature(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[ExcerptLength * 4];
        var read = 0;
        while (read < buffer.Length && await stream.ReadAsync(buffer.AsMemory(read), cancellationToken) is var n and > 0)
        {
            read += n;
        }
        if (read == 0)
        {
            return null;
        }
        var text = Encoding.UTF8.GetString(buffer, 0, read);
        return WorkspaceEvents.Truncate(text, ExcerptLength);
    }

    [LoggerMessage(LogLevel.Information, "Webhook delivery {DeliveryId} to webhook {WebhookId}: status {Status}, error {Error}; now {State}")]
    private static partial void LogAttempt(ILogger logger, Guid deliveryId, Guid webhookId, int? status, string? error, string state);

    [LoggerMessage(LogLevel.Warning, "Webhook {WebhookId} answered 410 Gone and is turned off")]
    private static partial void LogDisabled(ILogger logger, Guid webhookId);
}
