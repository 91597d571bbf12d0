using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Analytics;

public sealed record MetricTotals(long Impressions, long Likes, long Reposts, long Replies, long Quotes, long Bookmarks)
{
    public static readonly MetricTotals Zero = new(0, 0, 0, 0, 0, 0);

    public static MetricTotals Of(MetricSnapshot s) => new(s.Impressions, s.Likes, s.Reposts, s.Replies, s.Quotes, s.Bookmarks);

    public MetricTotals Plus(MetricTotals o) =>
        new(Impressions + o.Impressions, Likes + o.Likes, Reposts + o.Reposts, Replies + o.Replies, Quotes + o.Quotes, Bookmarks + o.Bookmarks);
}

public sealed record MetricPoint(DateTimeOffset At, MetricTotals Totals);

// One channel's numbers for one post, as last read.
public sealed record DeliveryMetrics(Guid DeliveryId, Guid PostId, Guid ChannelId, string Handle, string TweetId, DateTimeOffset? PublishedAt,
    string Text, DateTimeOffset FetchedAt, MetricTotals Latest);

public sealed record PostMetricsView(IReadOnlyList<DeliveryMetrics> Channels, IReadOnlyList<MetricPoint> Series, string? CookieChannelNote);

public sealed record ChannelAnalytics(Guid ChannelId, string Handle, ChannelKind Kind, ChannelMetricsUsage? Usage, IReadOnlyList<MetricPoint> Series);

public sealed record WorkspaceAnalyticsView(bool MetricsEnabled, IReadOnlyList<ChannelAnalytics> Channels, IReadOnlyList<DeliveryMetrics> Posts);

// The workspace's metrics as its pages and its export show them; every query is filtered by the caller's workspace.
public sealed class AnalyticsReport(SosyabotDbContext db)
{
    // The posts table shows this many, newest first; the export has them all.
    public const int PostsShown = 200;

    public async Task<bool> IsEnabledAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        await db.WorkspaceAnalytics.AnyAsync(a => a.WorkspaceId == workspaceId && a.MetricsEnabled, cancellationToken);

    public async Task SetEnabledAsync(Guid workspaceId, bool enabled, string userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var row = await db.WorkspaceAnalytics.SingleOrDefaultAsync(a => a.WorkspaceId == workspaceId, cancellationToken);
        if (row is null)
        {
            row = new WorkspaceAnalytics { WorkspaceId = workspaceId };
            db.WorkspaceAnalytics.Add(row);
        }
        row.MetricsEnabled = enabled;
        row.UpdatedAt = now;
        row.UpdatedByUserId = userId;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<PostMetricsView> ForPostAsync(Guid workspaceId, Guid postId, CancellationToken cancellationToken)
    {
        var snapshots = await db.MetricSnapshots.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId && s.PostId == postId)
            .OrderBy(s => s.FetchedAt).ToListAsync(cancellationToken);
        var latest = await LatestAsync(workspaceId, snapshots, cancellationToken);
        var hasCookieChannel = await db.Deliveries.AnyAsync(
            d => d.WorkspaceId == workspaceId && d.PostId == postId && d.TweetIds.Count > 0 && d.Channel.Kind == ChannelKind.Cookie, cancellationToken);
        return new PostMetricsView(latest, Series(snapshots), hasCookieChannel ? MetricsFetcher.CookieChannelNote : null);
    }

    public async Task<WorkspaceAnalyticsView> ForWorkspaceAsync(Guid workspaceId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var since = now - MetricsSchedule.MaxAge - TimeSpan.FromDays(1);
        var snapshots = await db.MetricSnapshots.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId && s.FetchedAt >= since)
            .OrderBy(s => s.FetchedAt).ToListAsync(cancellationToken);
        var usage = await db.ChannelMetricsUsage.AsNoTracking().Where(u => u.WorkspaceId == workspaceId).ToListAsync(cancellationToken);
        var readChannelIds = usage.Select(u => u.ChannelId).Concat(snapshots.Select(s => s.ChannelId)).Distinct().ToList();
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspaceId && (c.State != ChannelStates.Removed || readChannelIds.Contains(c.Id)))
            .OrderBy(c => c.Handle).Select(c => new { c.Id, c.Handle, c.Kind }).ToListAsync(cancellationToken);
        var perChannel = channels.Select(c => new ChannelAnalytics(c.Id, c.Handle, c.Kind, usage.FirstOrDefault(u => u.ChannelId == c.Id),
            Series(snapshots.Where(s => s.ChannelId == c.Id)))).ToList();
        var latest = await LatestAsync(workspaceId, snapshots, cancellationToken);
        return new WorkspaceAnalyticsView(
            await IsEnabledAsync(workspaceId, cancellationToken),
            perChannel,
            [.. latest.OrderByDescending(d => d.PublishedAt).Take(PostsShown)]);
    }

    // Every snapshot of the workspace, oldest first, with its post's text and channel: the CSV export.
    public async Task<IReadOnlyList<(MetricSnapshot Snapshot, string Handle, string Text, DateTimeOffset? PublishedAt)>> ExportAsync(
        Guid workspaceId, CancellationToken cancellationToken)
    {
        var rows = await db.MetricSnapshots.AsNoTracking()
            .Where(s => s.WorkspaceId == workspaceId)
            .Join(db.Deliveries.Where(d => d.WorkspaceId == workspaceId), s => s.DeliveryId, d => d.Id,
                (s, d) => new { Snapshot = s, d.Channel.Handle, Parts = d.Post.Parts, d.PublishedAt })
            .OrderBy(r => r.Snapshot.FetchedAt).ThenBy(r => r.Snapshot.Id)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => (r.Snapshot, r.Handle, r.Parts.FirstOrDefault() ?? "", r.PublishedAt))];
    }

    // At each reading time, the sum over the deliveries of what was last read for each: one line per metric. A run of
    // the fetcher stamps all it reads with one time, so the points are the runs (at most one per tick of the loop).
    public static IReadOnlyList<MetricPoint> Series(IEnumerable<MetricSnapshot> snapshots)
    {
        var last = new Dictionary<Guid, MetricTotals>();
        var points = new List<MetricPoint>();
        foreach (var group in snapshots.GroupBy(s => s.FetchedAt).OrderBy(g => g.Key))
        {
            foreach (var snapshot in group)
            {
                last[snapshot.DeliveryId] = MetricTotals.Of(snapshot);
            }
            points.Add(new MetricPoint(group.Key, last.Values.Aggregate(MetricTotals.Zero, (sum, t) => sum.Plus(t))));
        }
        return points;
    }

    // What the chart script reads from a data attribute: labels and one array per metric.
    public static string ChartJson(IReadOnlyList<MetricPoint> series, Func<DateTimeOffset, string> label) => JsonSerializer.Serialize(new ChartData(
        [.. series.Select(p => label(p.At))],
        new ChartSeries(
            [.. series.Select(p => p.Totals.Impressions)], [.. series.Select(p => p.Totals.Likes)], [.. series.Select(p => p.Totals.Reposts)],
            [.. series.Select(p => p.Totals.Replies)], [.. series.Select(p => p.Totals.Quotes)], [.. series.Select(p => p.Totals.Bookmarks)])));

    // The start of a post's text for a table cell, never cutting an emoji (a surrogate pair) in half.
    public static string Excerpt(string text, int length = 60) =>
        text.Length <= length ? text : text[..(char.IsHighSurrogate(text[length - 1]) ? length - 1 : length)] + "…";

    private async Task<List<DeliveryMetrics>> LatestAsync(Guid workspaceId, List<MetricSnapshot> snapshots, CancellationToken cancellationToken)
    {
        var latest = snapshots.GroupBy(s => s.DeliveryId).Select(g => g.MaxBy(s => s.FetchedAt)!).ToList();
        var deliveryIds = latest.Select(s => s.DeliveryId).ToList();
        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.WorkspaceId == workspaceId && deliveryIds.Contains(d.Id))
            .Select(d => new { d.Id, d.Channel.Handle, d.PublishedAt, Parts = d.Post.Parts })
            .ToDictionaryAsync(d => d.Id, cancellationToken);
        return [.. latest.Where(s => deliveries.ContainsKey(s.DeliveryId)).Select(s =>
        {
            var d = deliveries[s.DeliveryId];
            return new DeliveryMetrics(s.DeliveryId, s.PostId, s.ChannelId, d.Handle, s.TweetId, d.PublishedAt, d.Parts.FirstOrDefault() ?? "",
                s.FetchedAt, MetricTotals.Of(s));
        })];
    }

    private sealed record ChartData(
        [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels, [property: JsonPropertyName("series")] ChartSeries Series);

    private sealed record ChartSeries(
        [property: JsonPropertyName("impressions")] IReadOnlyList<long> Impressions,
        [property: JsonPropertyName("likes")] IReadOnlyList<long> Likes,
        [property: JsonPropertyName("reposts")] IReadOnlyList<long> Reposts,
        [property: JsonPropertyName("replies")] IReadOnlyList<long> Replies,
        [property: JsonPropertyName("quotes")] IReadOnlyList<long> Quotes,
        [property: JsonPropertyName("bookmarks")] IReadOnlyList<long> Bookmarks);
}
