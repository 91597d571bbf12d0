namespace Sosyabot.Web.Publishing;

// The zone and clock the signed-in person reads times in. Publishing's pages (and those built on them) ask;
// Calendar's DisplayPreferences answers with the one rule for it: their own setting, the workspace's default,
// the browser's zone.
public interface IReaderClock
{
    Task<ReaderClock> ForCurrentAsync(CancellationToken cancellationToken);
}

public sealed record ReaderClock(TimeZoneInfo Zone, bool Clock24);
