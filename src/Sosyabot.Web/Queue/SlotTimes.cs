namespace Sosyabot.Web.Queue;

// Turns a week of wall-clock slots in a zone into instants. A slot at a time the clocks skip (spring forward) is
// kept and moves forward by the skipped length (02:30 becomes 03:30); a time that happens twice (fall back) is taken
// the first time. Either way a slot gives one instant per day.
public static class SlotTimes
{
    // How far ahead the queue looks for a free slot.
    public const int HorizonDays = 400;

    public static IEnumerable<DateTimeOffset> After(
        IReadOnlyCollection<(DayOfWeek Day, TimeOnly Time)> slots, TimeZoneInfo zone, DateTimeOffset after, int days = HorizonDays)
    {
        if (slots.Count == 0)
        {
            yield break;
        }
        // From the day before in the zone's calendar: a slot shifted past midnight by a clock change is not missed.
        var first = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(after, zone).DateTime).AddDays(-1);
        for (var date = first; date <= first.AddDays(days); date = date.AddDays(1))
        {
            var day = date.DayOfWeek;
            foreach (var instant in slots.Where(s => s.Day == day).Select(s => Instant(date, s.Time, zone)).Where(i => i > after).Distinct().Order())
            {
                yield return instant;
            }
        }
    }

    public static DateTimeOffset Instant(DateOnly date, TimeOnly time, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (zone.IsInvalidTime(local))
        {
            // The offset in force before the jump: the wall-clock time lands as far past the jump as it was into the gap.
            offset = zone.GetUtcOffset(local.AddDays(-1));
        }
        else if (zone.IsAmbiguousTime(local))
        {
            offset = zone.GetAmbiguousTimeOffsets(local).Max();
        }
        else
        {
            offset = zone.GetUtcOffset(local);
        }
        return new DateTimeOffset(DateTime.SpecifyKind(local - offset, DateTimeKind.Utc));
    }

    public static TimeZoneInfo ZoneOrUtc(string? id) =>
        id is { Length: > 0 and <= 64 } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;
}
