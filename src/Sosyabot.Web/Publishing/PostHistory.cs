using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

// Which posts a history page shows: drafts or sent/scheduled posts, optionally one delivery state and one channel.
public sealed record HistoryFilter(bool Drafts, string? State, Guid? ChannelId);

public sealed record HistoryPost(
    Guid Id, DateTimeOffset DueAt, DateTimeOffset CreatedAt, string? TimeZone, IReadOnlyList<string> Parts, bool IsDraft,
    int Images, IReadOnlyList<HistoryDelivery> Deliveries);

public sealed record HistoryDelivery(
    Guid ChannelId, string Handle, string? AvatarUrl, string ChannelState, string State, string? Reason, DateTimeOffset DueAt,
    DateTimeOffset? PublishedAt, IReadOnlyList<string> TweetIds, DateTimeOffset? HeldAt = null, DateTimeOffset? ChannelConnectedAt = null)
{
    public static HistoryDelivery From(Delivery d) =>
        new(d.ChannelId, d.Channel.Handle, d.Channel.AvatarUrl, d.Channel.State, d.State, d.Reason, d.DueAt, d.PublishedAt,
            d.TweetIds, d.HeldAt, d.Channel.ConnectedAt);

    // Held, and its channel was connected again since: the publisher sends it within seconds.
    public bool IsBeingReleased => State == DeliveryStates.Held && ChannelState == Channels.ChannelStates.Active && ChannelConnectedAt > HeldAt;
}

public sealed record HistoryRow(Guid Id, DateTimeOffset DueAt, DateTimeOffset CreatedAt, string? TimeZone, List<string> Parts, bool IsDraft, int Images);

public sealed record HistoryPage(IReadOnlyList<HistoryPost> Posts, string? NextCursor);

// A workspace's posts newest-due first, a page at a time by keyset (due_at, id): a late page costs what the
// first does, read off the (workspace_id, is_draft, due_at, id) index.
public sealed class PostHistory(SosyabotDbContext db)
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public async Task<HistoryPage> PageAsync(Guid workspaceId, HistoryFilter filter, string? cursor, int pageSize, CancellationToken cancellationToken)
    {
        var page = await PageQuery(db, workspaceId, filter, ParseCursor(cursor), pageSize).ToListAsync(cancellationToken);
        var more = page.Count > pageSize;
        page = page.Take(pageSize).ToList();
        var ids = page.Select(p => p.Id).ToList();
        var deliveries = (await db.Deliveries.AsNoTracking()
                .Where(d => ids.Contains(d.PostId))
                .Select(d => new
                {
                    d.PostId,
                    Delivery = new HistoryDelivery(d.ChannelId, d.Channel.Handle, d.Channel.AvatarUrl, d.Channel.State, d.State, d.Reason, d.DueAt,
                        d.PublishedAt, d.TweetIds, d.HeldAt, d.Channel.ConnectedAt),
                })
                .ToListAsync(cancellationToken))
            .ToLookup(d => d.PostId, d => d.Delivery);
        var rows = page.Select(p => new HistoryPost(p.Id, p.DueAt, p.CreatedAt, p.TimeZone, p.Parts, p.IsDraft, p.Images,
            deliveries[p.Id].OrderBy(d => d.Handle, StringComparer.OrdinalIgnoreCase).ToList())).ToList();
        return new HistoryPage(rows, more ? FormatCursor(page[^1].DueAt, page[^1].Id) : null);
    }

    // One page and the first row of the next (to know there is one): what PageAsync runs, and the benchmark explains.
    public static IQueryable<HistoryRow> PageQuery(
        SosyabotDbContext db, Guid workspaceId, HistoryFilter filter, (DateTimeOffset DueAt, Guid Id)? after, int pageSize) =>
        Query(db, workspaceId, filter, after)
            .Take(pageSize + 1)
            .Select(p => new HistoryRow(p.Id, p.DueAt, p.CreatedAt, p.TimeZone, p.Parts, p.IsDraft, p.Media.Count));

    // The page's posts in order, before paging.
    public static IQueryable<Post> Query(SosyabotDbContext db, Guid workspaceId, HistoryFilter filter, (DateTimeOffset DueAt, Guid Id)? after)
    {
        var posts = db.Posts.AsNoTracking().Where(p => p.WorkspaceId == workspaceId && p.IsDraft == filter.Drafts);
        if (filter.State is { } state)
        {
            posts = posts.Where(p => p.Deliveries.Any(d => d.State == state && (filter.ChannelId == null || d.ChannelId == filter.ChannelId)));
            if (state != DeliveryStates.Cancelled)
            {
                // Walking newest first, the posts still queued ahead of the newest published one would each be checked
                // (18,826 of a million, 70 ms). A delivery is never due before its post (it is queued at the post's time
                // and only ever moved later, or together with it), so no match lies after the latest due delivery in that
                // state, read off the (workspace_id, state, due_at) index. Not for cancelled ones: a reschedule leaves
                // them where they were.
                posts = posts.Where(p => p.DueAt <= db.Deliveries
                    .Where(d => d.WorkspaceId == workspaceId && d.State == state && (filter.ChannelId == null || d.ChannelId == filter.ChannelId))
                    .Max(d => (DateTimeOffset?)d.DueAt));
            }
        }
        else if (filter.ChannelId is { } channelId)
        {
            posts = filter.Drafts
                ? posts.Where(p => p.DraftChannelIds.Contains(channelId))
                : posts.Where(p => p.Deliveries.Any(d => d.ChannelId == channelId));
        }
        if (after is { } last)
        {
            // A row comparison, (due_at, id) < (last), which PostgreSQL reads straight off the index.
            posts = posts.Where(p => EF.Functions.LessThan(ValueTuple.Create(p.DueAt, p.Id), ValueTuple.Create(last.DueAt, last.Id)));
        }
        return posts.OrderByDescending(p => p.DueAt).ThenByDescending(p => p.Id);
    }

    public static string FormatCursor(DateTimeOffset dueAt, Guid id) =>
        $"{dueAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}_{id:N}";

    // Null for no cursor; a malformed one is refused.
    public static (DateTimeOffset, Guid)? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }
        var parts = cursor.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
               && ticks >= DateTimeOffset.MinValue.UtcTicks && ticks <= DateTimeOffset.MaxValue.UtcTicks
               && Guid.TryParseExact(parts[1], "N", out var id)
            ? (new DateTimeOffset(ticks, TimeSpan.Zero), id)
            : throw new InvalidCursorException();
    }
}

public sealed class InvalidCursorException() : Exception("The cursor is not one this API gave out; start again without it.");
