namespace Sosyabot.Web.Publishing;

// How posts and their states read to a person: times in their zone, states in plain words.
public sealed class PostDisplay(TimeZoneInfo zone, DateTimeOffset now, bool clock24 = true)
{
    // The cookie the layout's script sets to the browser's IANA zone.
    public const string ZoneCookie = "sosyabot_tz";

    public TimeZoneInfo Zone { get; } = zone;

    // In the zone and on the clock the signed-in person chose (Settings → Time and clock).
    public static async Task<PostDisplay> ForReaderAsync(IReaderClock reader, TimeProvider time, CancellationToken cancellationToken)
    {
        var clock = await reader.ForCurrentAsync(cancellationToken);
        return new PostDisplay(clock.Zone, time.GetUtcNow(), clock.Clock24);
    }

    // In the zone a post was scheduled in (on the reader's clock): how its author confirms the time they typed.
    public PostDisplay InPostZone(Post post) =>
        post.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(post.TimeZone, out var zone) ? new PostDisplay(zone, now, clock24) : this;

    public string Time(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var today = TimeZoneInfo.ConvertTime(now, Zone).Date;
        var timeOfDay = local.ToString(clock24 ? "HH:mm" : "h:mm tt", System.Globalization.CultureInfo.InvariantCulture);
        return local.Date == today ? $"today {timeOfDay}" : local.ToString("yyyy-MM-dd ", System.Globalization.CultureInfo.InvariantCulture) + timeOfDay;
    }

    public string ZoneName => Zone.Id;

    public bool IsFuture(DateTimeOffset at) => at > now;

    public string State(HistoryDelivery delivery) => delivery.State switch
    {
        DeliveryStates.Queued when delivery.DueAt > now && delivery.Reason is not null => $"Retrying at {Time(delivery.DueAt)}",
        DeliveryStates.Queued when delivery.DueAt > now => $"Scheduled for {Time(delivery.DueAt)}",
        DeliveryStates.Queued => "Going out now",
        DeliveryStates.Publishing => "Publishing…",
        DeliveryStates.Published => delivery.PublishedAt is { } at ? $"Published {Time(at)}" : "Published",
        DeliveryStates.WaitingForRateLimit => $"Waiting for X's limit until {Time(delivery.DueAt)}",
        DeliveryStates.Held when delivery.IsBeingReleased => $"@{delivery.Handle} is back: going out now",
        DeliveryStates.Held when delivery.ChannelState == Channels.ChannelStates.Active => "Held: publish late or skip?",
        DeliveryStates.Held => $"Held until @{delivery.Handle} is reconnected",
        DeliveryStates.Failed => "Failed",
        DeliveryStates.Cancelled => "Cancelled",
        DeliveryStates.Deleted => "Deleted from X",
        _ => delivery.State,
    };

    public static string StateName(string state) => state switch
    {
        DeliveryStates.Queued => "Scheduled or queued",
        DeliveryStates.Publishing => "Publishing",
        DeliveryStates.Published => "Published",
        DeliveryStates.WaitingForRateLimit => "Waiting for X's limit",
        DeliveryStates.Held => "Held (needs reconnecting)",
        DeliveryStates.Failed => "Failed",
        DeliveryStates.Cancelled => "Cancelled",
        DeliveryStates.Deleted => "Deleted from X",
        _ => state,
    };
}
