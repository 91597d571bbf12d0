using Sosyabot.Web.Queue;

namespace Sosyabot.Tests.Queue;

// Weekly wall-clock slots turned into instants: across daylight saving changes, week ends and zones far from UTC.
public sealed class SlotTimesTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static DateTimeOffset Utc(string at) => DateTimeOffset.Parse(at + "Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void After_SpringForward_SlotKeepsItsClockTimeAndASkippedTimeMovesPastTheJump()
    {
        // Europe/Berlin springs forward on Sunday 2026-03-29 at 02:00 (+01:00 → +02:00).
        (DayOfWeek, TimeOnly)[] slots = [(DayOfWeek.Sunday, new TimeOnly(2, 30)), (DayOfWeek.Sunday, new TimeOnly(9, 0))];

        var next = SlotTimes.After(slots, Berlin, Utc("2026-03-21T12:00:00")).Take(4).ToList();

        Assert.Equal(
            [Utc("2026-03-22T01:30:00"), Utc("2026-03-22T08:00:00"), Utc("2026-03-29T01:30:00"), Utc("2026-03-29T07:00:00")], next);
        // 02:30 does not exist on the 29th: the slot moves forward by the skipped hour, to 03:30 on the clock.
        Assert.Equal(new DateTime(2026, 3, 29, 3, 30, 0), TimeZoneInfo.ConvertTime(next[2], Berlin).DateTime);
        Assert.Equal(new DateTime(2026, 3, 29, 9, 0, 0), TimeZoneInfo.ConvertTime(next[3], Berlin).DateTime);
    }

    [Fact]
    public void After_FallBack_TimeThatHappensTwiceIsTakenOnce_TheFirstTime()
    {
        // Europe/Berlin falls back on Sunday 2026-10-25 at 03:00 (+02:00 → +01:00): 02:30 happens twice.
        (DayOfWeek, TimeOnly)[] slots = [(DayOfWeek.Sunday, new TimeOnly(2, 30)), (DayOfWeek.Sunday, new TimeOnly(9, 0))];

        var next = SlotTimes.After(slots, Berlin, Utc("2026-10-24T12:00:00")).Take(3).ToList();

        Assert.Equal([Utc("2026-10-25T00:30:00"), Utc("2026-10-25T08:00:00"), Utc("2026-11-01T01:30:00")], next);
    }

    [Fact]
    public void After_LateSunday_WrapsIntoTheNextWeekInOrder()
    {
        (DayOfWeek, TimeOnly)[] slots = [(DayOfWeek.Sunday, new TimeOnly(23, 45)), (DayOfWeek.Monday, new TimeOnly(0, 10))];

        var next = SlotTimes.After(slots, TimeZoneInfo.Utc, Utc("2026-12-06T23:50:00")).Take(3).ToList();

        Assert.Equal([Utc("2026-12-07T00:10:00"), Utc("2026-12-13T23:45:00"), Utc("2026-12-14T00:10:00")], next);
    }

    [Fact]
    public void After_ZoneAheadOfUtc_DayIsTheZonesDayNotUtcs()
    {
        // 11:30 UTC on Sunday 2026-12-06 is already Monday 00:30 in Auckland (+13:00): Sunday 23:00 there is six days away.
        var auckland = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Auckland");
        (DayOfWeek, TimeOnly)[] slots = [(DayOfWeek.Sunday, new TimeOnly(23, 0)), (DayOfWeek.Monday, new TimeOnly(1, 0))];

        var next = SlotTimes.After(slots, auckland, Utc("2026-12-06T11:30:00")).Take(2).ToList();

        Assert.Equal([Utc("2026-12-06T12:00:00"), Utc("2026-12-13T10:00:00")], next);
    }

    [Fact]
    public void After_SlotExactlyNow_IsNotOffered()
    {
        (DayOfWeek, TimeOnly)[] slots = [(DayOfWeek.Monday, new TimeOnly(9, 0))];

        Assert.Equal(Utc("2026-12-14T09:00:00"), SlotTimes.After(slots, TimeZoneInfo.Utc, Utc("2026-12-07T09:00:00")).First());
    }

    [Fact]
    public void After_NoSlots_IsEmpty() => Assert.Empty(SlotTimes.After([], Berlin, Utc("2026-12-07T09:00:00")));
}
