using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Calendar;

// Where a setting came from, to tell a person why they see the zone they see.
public enum PreferenceSource
{
    User,
    Workspace,
    Browser,
    Default,
}

public sealed record EffectiveDisplay(TimeZoneInfo Zone, PreferenceSource ZoneSource, bool Clock24, PreferenceSource ClockSource)
{
    public string ZoneId => Zone.Id;

    // A time of day as this person reads it: 14:05 or 2:05 PM.
    public string TimeOfDay(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString(Clock24 ? "HH:mm" : "h:mm tt", CultureInfo.InvariantCulture);

    public string DateAndTime(DateTimeOffset at) =>
        TimeZoneInfo.ConvertTime(at, Zone).ToString("yyyy-MM-dd ", CultureInfo.InvariantCulture) + TimeOfDay(at);
}

// The one rule for which zone and clock a person sees: their own setting, else their workspace's default,
// else the browser's zone (the cookie the layout's script sets), else UTC; a 24-hour clock unless someone chose 12.
public sealed class DisplayPreferences(SosyabotDbContext db, IHttpContextAccessor http, CurrentWorkspace current) : IReaderClock
{
    public const int MaxZoneLength = 64;

    public async Task<EffectiveDisplay> ForAsync(WorkspaceContext caller, CancellationToken cancellationToken)
    {
        var mine = await MineAsync(caller.UserId, cancellationToken);
        var workspace = await WorkspaceDefaultAsync(caller.WorkspaceId, cancellationToken);
        var (zone, zoneSource) =
            Zone(mine?.TimeZone) is { } own ? (own, PreferenceSource.User)
            : Zone(workspace?.TimeZone) is { } shared ? (shared, PreferenceSource.Workspace)
            : Zone(http.HttpContext?.Request.Cookies[PostDisplay.ZoneCookie]) is { } browser ? (browser, PreferenceSource.Browser)
            : (TimeZoneInfo.Utc, PreferenceSource.Default);
        var (clock24, clockSource) =
            mine?.Clock24 is { } ownClock ? (ownClock, PreferenceSource.User)
            : workspace?.Clock24 is { } sharedClock ? (sharedClock, PreferenceSource.Workspace)
            : (true, PreferenceSource.Default);
        return new EffectiveDisplay(zone, zoneSource, clock24, clockSource);
    }

    public async Task<ReaderClock> ForCurrentAsync(CancellationToken cancellationToken)
    {
        var effective = await ForAsync(await current.GetAsync(cancellationToken), cancellationToken);
        return new ReaderClock(effective.Zone, effective.Clock24);
    }

    public Task<UserDisplayPreference?> MineAsync(string userId, CancellationToken cancellationToken) =>
        db.UserDisplayPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);

    public Task<WorkspaceDisplayPreference?> WorkspaceDefaultAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.WorkspaceDisplayPreferences.AsNoTracking().SingleOrDefaultAsync(p => p.WorkspaceId == workspaceId, cancellationToken);

    public async Task SaveMineAsync(string userId, string? timeZone, bool? clock24, CancellationToken cancellationToken)
    {
        var row = await db.UserDisplayPreferences.SingleOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (row is null)
        {
            db.UserDisplayPreferences.Add(row = new UserDisplayPreference { UserId = userId });
        }
        row.TimeZone = timeZone;
        row.Clock24 = clock24;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task SaveWorkspaceDefaultAsync(Guid workspaceId, string? timeZone, bool? clock24, CancellationToken cancellationToken)
    {
        var row = await db.WorkspaceDisplayPreferences.SingleOrDefaultAsync(p => p.WorkspaceId == workspaceId, cancellationToken);
        if (row is null)
        {
            db.WorkspaceDisplayPreferences.Add(row = new WorkspaceDisplayPreference { WorkspaceId = workspaceId });
        }
        row.TimeZone = timeZone;
        row.Clock24 = clock24;
        await db.SaveChangesAsync(cancellationToken);
    }

    // A known IANA zone, or null (an empty or unknown id, or a Windows name, which browsers would not understand).
    public static TimeZoneInfo? Zone(string? id) =>
        id is { Length: > 0 and <= MaxZoneLength } && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId ? zone : null;

    // The zones a person can choose from, by IANA id.
    public static IReadOnlyList<string> KnownZones { get; } =
        [.. TimeZoneInfo.GetSystemTimeZones().Where(z => z.HasIanaId).Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal)];
}
