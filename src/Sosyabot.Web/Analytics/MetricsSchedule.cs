namespace Sosyabot.Web.Analytics;

// When a published post's metrics are read again. A post gathers most of its reach in its first day, so it is
// read every interval then, every 6 intervals in its first week, daily-ish (24 intervals) until MaxAge, and
// never after: with the default hour, a post is read at most 24 + 24 + 23 = 71 times over its life, and up to
// 100 posts of a channel share each lookup.
public static class MetricsSchedule
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(30);

    public static TimeSpan? Gap(TimeSpan age, TimeSpan interval) =>
        age > MaxAge ? null
        : age < TimeSpan.FromDays(1) ? interval
        : age < TimeSpan.FromDays(7) ? interval * 6
        : interval * 24;

    public static bool IsDue(DateTimeOffset publishedAt, DateTimeOffset? lastFetchedAt, DateTimeOffset now, TimeSpan interval) =>
        Gap(now - publishedAt, interval) is { } gap && (lastFetchedAt is not { } last || now - last >= gap);
}
