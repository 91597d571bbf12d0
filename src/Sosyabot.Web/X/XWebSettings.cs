using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.X;

public sealed record XWebSetting(string Name, string EnvironmentVariable, string OptionKey, string Value, SettingSource Source);

// The last time x.com did not know a query id Sosyabot sent: what the admin page shows, naming the setting to update.
public sealed record XWebUnknownQuery(string Operation, string Setting, string Answer, DateTimeOffset At);

public sealed record XWebState(
    bool Enabled,
    IReadOnlyDictionary<string, XWebSetting> QueryIds,
    XWebSetting TweetFeatures,
    XWebSetting TimelineFeatures,
    XWebUnknownQuery? LastUnknownQuery)
{
    public const string DisabledMessage =
        "The cookie (browser session) path is turned off by this instance's admin, so cookie-connected channels cannot connect, publish or act on X. " +
        "Ask the admin to turn it on under Admin → X (Twitter) → Cookie channels; posts already scheduled are held and go out once it is on.";

    public XWebQueries Queries => new(QueryIds.ToDictionary(q => q.Key, q => q.Value.Value), TweetFeatures.Value, TimelineFeatures.Value);
}

// The query ids and features the web client sends, as resolved for one use.
public sealed record XWebQueries(IReadOnlyDictionary<string, string> QueryIds, string TweetFeaturesJson, string TimelineFeaturesJson)
{
    public static XWebQueries Defaults { get; } =
        new(XWebOperations.DefaultQueryIds, XWebOperations.DefaultTweetFeatures, XWebOperations.DefaultTimelineFeatures);
}

// The cookie path's settings in the options table: admin panel value -> environment -> the defaults of
// docs/x-web-path.md. Read from the database at each use, like XIntegrationSettings, so a save applies on
// every node at the next call.
public sealed partial class XWebSettings(SosyabotDbContext db, IOptions<XOptions> environment, TimeProvider time, ILogger<XWebSettings> logger)
{
    // Its updated_at is when the admin last saved the cookie path's settings: the publisher releases cookie
    // posts held before then (an outdated query id fixed, the path turned back on).
    public const string StatusKey = "x-twitter_web_path";
    public const string LastUnknownQueryKey = "x-twitter_web_last_unknown_query";

    private static readonly string[] Keys =
    [
        StatusKey, LastUnknownQueryKey, XWebOperations.TweetFeaturesOptionKey, XWebOperations.TimelineFeaturesOptionKey,
        .. XWebOperations.All.Select(XWebOperations.QueryIdOptionKey),
    ];

    public async Task<XWebState> GetAsync(CancellationToken cancellationToken)
    {
        var rows = await db.Options.AsNoTracking().Where(o => Keys.Contains(o.Key)).ToDictionaryAsync(o => o.Key, o => o.Value, cancellationToken);
        var env = environment.Value;
        XWebSetting Resolve(string name, string variable, string key, string environmentValue, string defaultValue) =>
            rows.TryGetValue(key, out var saved) && saved.Length > 0 ? new(name, variable, key, saved, SettingSource.AdminPanel)
            : new(name, variable, key, environmentValue, environmentValue == defaultValue ? SettingSource.Default : SettingSource.Environment);

        var queryIds = XWebOperations.All.ToDictionary(op => op, op => Resolve(op, XWebOperations.QueryIdVariable(op), XWebOperations.QueryIdOptionKey(op),
            env.EnvironmentQueryId(op), XWebOperations.DefaultQueryIds[op]));
        XWebUnknownQuery? unknown = null;
        if (rows.TryGetValue(LastUnknownQueryKey, out var unknownJson))
        {
            try
            {
                unknown = JsonSerializer.Deserialize<XWebUnknownQuery>(unknownJson);
            }
            catch (JsonException)
            {
                // An unreadable note is no note: the next unknown answer writes a fresh one.
            }
        }
        return new XWebState(
            rows.GetValueOrDefault(StatusKey) != OptionKeys.StatusDisabled,
            queryIds,
            Resolve("Tweet features", XWebOperations.TweetFeaturesVariable, XWebOperations.TweetFeaturesOptionKey, env.TweetFeatures,
                XWebOperations.DefaultTweetFeatures),
            Resolve("Timeline features", XWebOperations.TimelineFeaturesVariable, XWebOperations.TimelineFeaturesOptionKey, env.TimelineFeatures,
                XWebOperations.DefaultTimelineFeatures),
            unknown);
    }

    // Empty values remove the admin panel's value (the environment's or the default applies again).
    public async Task SaveAsync(bool enabled, IReadOnlyDictionary<string, string?> queryIds, string? tweetFeatures, string? timelineFeatures,
        string updatedBy, CancellationToken cancellationToken)
    {
        var rows = await db.Options.Where(o => Keys.Contains(o.Key)).ToDictionaryAsync(o => o.Key, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var operation in XWebOperations.All)
        {
            Set(rows, XWebOperations.QueryIdOptionKey(operation), queryIds.GetValueOrDefault(operation)?.Trim(), now, updatedBy);
        }
        Set(rows, XWebOperations.TweetFeaturesOptionKey, tweetFeatures?.Trim(), now, updatedBy);
        Set(rows, XWebOperations.TimelineFeaturesOptionKey, timelineFeatures?.Trim(), now, updatedBy);
        Set(rows, StatusKey, enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled, now, updatedBy);
        // Whatever the admin changed, the note of the last unknown query id has been read.
        if (rows.TryGetValue(LastUnknownQueryKey, out var note))
        {
            db.Options.Remove(note);
        }
        await db.SaveChangesAsync(cancellationToken);
        LogSaved(logger, updatedBy, enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled);
    }

    // setting: the variable (and admin field) that holds what x.com refused: a query id or a features list.
    public async Task RecordUnknownQueryAsync(string operation, string answer, string setting, CancellationToken cancellationToken)
    {
        var note = JsonSerializer.Serialize(new XWebUnknownQuery(operation, setting, answer, time.GetUtcNow()));
        var now = time.GetUtcNow();
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO options (key, value, updated_at, updated_by) VALUES ({LastUnknownQueryKey}, {note}, {now}, 'publisher')
            ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
            """, cancellationToken);
        LogUnknownQuery(logger, operation, setting, answer);
    }

    private void Set(Dictionary<string, OptionEntry> rows, string key, string? value, DateTimeOffset now, string updatedBy)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (rows.TryGetValue(key, out var gone))
            {
                db.Options.Remove(gone);
            }
            return;
        }
        if (!rows.TryGetValue(key, out var row))
        {
            row = new OptionEntry { Key = key, Value = value };
            db.Options.Add(row);
        }
        row.Value = value;
        row.UpdatedAt = now;
        row.UpdatedBy = updatedBy;
    }

    [LoggerMessage(LogLevel.Information, "X cookie path settings saved by {UpdatedBy}; status {Status}")]
    private static partial void LogSaved(ILogger logger, string updatedBy, string status);

    [LoggerMessage(LogLevel.Warning, "x.com refused what Sosyabot sends for {Operation} ({Answer}); update {Setting} on the admin page")]
    private static partial void LogUnknownQuery(ILogger logger, string operation, string setting, string answer);
}
