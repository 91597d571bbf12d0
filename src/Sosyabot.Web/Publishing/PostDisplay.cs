namespace Sosyabot.Web.Publishing;

// How posts and their states read to a person: times in their zone, states in plain words.
public sealed class PostDisplay(TimeZoneInfo zone, DateTimeOffset now)
{
    // The cookie the layout's script sets to the browser's IANA zone.
    public const string ZoneCookie = "sosyabot_tz";

    public TimeZoneInfo Zone { get; } = zone;

    // In the zone a post was scheduled in: how its author confirms the time they typed.
    public static PostDisplay InPostZone(Post post, HttpRequest request, TimeProvider time) =>
        post.TimeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(post.TimeZone, out var zone)
            ? new PostDisplay(zone, time.GetUtcNow())
            : For(request, time);

    public static PostDisplay For(HttpRequest request, TimeProvider time) =>
        new(request.Cookies.TryGetValue(ZoneCookie, out var id) && id is { Length: <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone : TimeZoneInfo.Utc, time.GetUtcNow());

    public string Time(DateTimeOffset at)
    {
        var local = TimeZoneInfo.ConvertTime(at, Zone);
        var today = TimeZoneInfo.ConvertTime(now, Zone).Date;
        return local.Date == today ? $"today {local:HH:mm}" : local.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
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
