using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// A rate-limit window: its key in the budget table, X's documented cap, and what to call it.
public sealed record RateWindow(string Key, int Limit, TimeSpan Length, string Description);

// The windows a post spends from: the account's 15 minutes, the app's 24 hours, and the account's 24 hours (learnt from X's headers).
public sealed record TweetWindows(RateWindow User, RateWindow App, RateWindow UserDay)
{
    public IEnumerable<RateWindow> All => [User, App, UserDay];
}

// The windows an agent action spends from: Endpoint is the one X's x-rate-limit-* headers
// describe (and a 429 closes), Day a documented 24-hour cap that no header reports.
public sealed record ActionWindows(RateWindow Endpoint, RateWindow? Day = null)
{
    public IEnumerable<RateWindow> All => Day is null ? [Endpoint] : [Endpoint, Day];
}

// Sosyabot's own rate budget for the action is spent; nothing was sent to X.
public sealed class RateBudgetSpentException(RateWindow window, DateTimeOffset resetAt) : Exception(window.Description)
{
    public RateWindow Window { get; } = window;
    public DateTimeOffset ResetAt { get; } = resetAt;
}

// What spending a request against several windows came to.
public sealed record RateReservation(bool Granted, RateWindow? Exhausted, DateTimeOffset? ResetAt)
{
    public static readonly RateReservation Yes = new(true, null, null);
}

// X's rate limits as shared budgets in PostgreSQL. A request is paid for before it is sent, in one
// transaction across all its windows, so nodes together never send more than X allows; X's own headers
// then correct what the table believes.
public sealed class RateBudgets(SosyabotDbContext db, TimeProvider time)
{
    // POST /2/tweets: 100 per 15 minutes per user and 10,000 per 24 hours per app.
    public static TweetWindows ForTweets(string xUserId, string appKey) => new(
        new($"tweets:user:{xUserId}", 100, TimeSpan.FromMinutes(15), "X's limit of 100 posts per 15 minutes for this account"),
        new($"tweets:app:{appKey}", 10_000, TimeSpan.FromHours(24), "X's limit of 10,000 posts per 24 hours for this app"),
        new($"tweets:user-24h:{xUserId}", int.MaxValue, TimeSpan.FromHours(24), "X's 24-hour post limit for this account"));

    // x.com's web path (cookie channels) counts per account: x.com publishes no CreateTweet window, so the
    // budget starts at the API's 100 per 15 minutes and follows the x-rate-limit-* headers; 2,400 posts a day
    // per account (past it, code 344). No app: the web client is x.com's own.
    public static TweetWindows ForWebTweets(string xUserId) => new(
        new($"web-tweets:user:{xUserId}", 100, TimeSpan.FromMinutes(15), "x.com's post limit per 15 minutes for this account (web path)"),
        new($"web-tweets:user-day:{xUserId}", 2_400, TimeSpan.FromHours(24), "x.com's daily limit of 2,400 posts for this account"),
        new($"web-tweets:user-24h:{xUserId}", int.MaxValue, TimeSpan.FromHours(24), "x.com's 24-hour post limit for this account"));

    // DELETE /2/tweets/:id: 50 per 15 minutes per user.
    public static ActionWindows ForTweetDeletes(string xUserId) =>
        new(new($"tweet-deletes:user:{xUserId}", 50, TimeSpan.FromMinutes(15), "X's limit of 50 deletions per 15 minutes for this account"));

    // Direct messages: 15 per 15 minutes and 1,440 per 24 hours per user.
    public static ActionWindows ForDirectMessages(string xUserId) => new(
        new($"dm:user:{xUserId}", 15, TimeSpan.FromMinutes(15), "X's limit of 15 direct messages per 15 minutes for this account"),
        new($"dm:user-24h:{xUserId}", 1_440, TimeSpan.FromHours(24), "X's limit of 1,440 direct messages per 24 hours for this account"));

    // Likes (50 per 15 minutes, 1,000 per 24 hours), retweets and bookmarks (50 per 15 minutes), and their undoing, per user.
    public static ActionWindows ForRelation(string xUserId, XTweetRelation relation, bool on)
    {
        var action = (relation, on) switch
        {
            (XTweetRelation.Likes, true) => "likes",
            (XTweetRelation.Likes, false) => "unlikes",
            (XTweetRelation.Retweets, true) => "retweets",
            (XTweetRelation.Retweets, false) => "undone retweets",
            (_, true) => "bookmarks",
            _ => "removed bookmarks",
        };
        var key = action.Replace(' ', '-');
        var window = new RateWindow($"{key}:user:{xUserId}", 50, TimeSpan.FromMinutes(15), $"X's limit of 50 {action} per 15 minutes for this account");
        return relation == XTweetRelation.Likes && on
            ? new(window, new($"likes:user-24h:{xUserId}", 1_000, TimeSpan.FromHours(24), "X's limit of 1,000 likes per 24 hours for this account"))
            : new(window);
    }

    public async Task<RateReservation> TryReserveAsync(IEnumerable<RateWindow> windows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var window in windows)
        {
            var resetIfNew = now + window.Length;
            // A new window starts full; a spent one grants nothing until its reset. One statement, so two
            // nodes reserving at once are serialised by the row lock.
            var granted = await db.Database.SqlQuery<DateTimeOffset>($"""
                INSERT INTO rate_budgets (key, "limit", remaining, reset_at) VALUES ({window.Key}, {window.Limit}, {window.Limit - 1}, {resetIfNew})
                ON CONFLICT (key) DO UPDATE SET
                    remaining = CASE WHEN rate_budgets.reset_at <= {now} THEN rate_budgets."limit" - 1 ELSE rate_budgets.remaining - 1 END,
                    reset_at = CASE WHEN rate_budgets.reset_at <= {now} THEN {resetIfNew} ELSE rate_budgets.reset_at END
                WHERE rate_budgets.reset_at <= {now} OR rate_budgets.remaining > 0
                RETURNING reset_at AS "Value"
                """).ToListAsync(cancellationToken);
            if (granted.Count == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                var resetAt = await db.RateBudgets.Where(b => b.Key == window.Key).Select(b => b.ResetAt).SingleAsync(cancellationToken);
                return new RateReservation(false, window, resetAt);
            }
        }
        await transaction.CommitAsync(cancellationToken);
        return RateReservation.Yes;
    }

    // Adopts what X's headers say about a window: X counts, we only estimate.
    public async Task ObserveAsync(RateWindow window, XRateWindow observed, CancellationToken cancellationToken)
    {
        // X's reset is the truth about where the window ends (ours was only a guess from first use). In the
        // same window keep the lower count: our in-flight reservations are not in X's figure yet.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO rate_budgets (key, "limit", remaining, reset_at) VALUES ({window.Key}, {observed.Limit}, {observed.Remaining}, {observed.ResetAt})
            ON CONFLICT (key) DO UPDATE SET
                "limit" = EXCLUDED."limit",
                remaining = CASE WHEN EXCLUDED.reset_at = rate_budgets.reset_at
                    THEN LEAST(rate_budgets.remaining, EXCLUDED.remaining) ELSE EXCLUDED.remaining END,
                reset_at = EXCLUDED.reset_at
            """, cancellationToken);
    }

    // X said no (a 429): nothing more until resetAt.
    public async Task ExhaustAsync(RateWindow window, DateTimeOffset resetAt, CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO rate_budgets (key, "limit", remaining, reset_at) VALUES ({window.Key}, {window.Limit}, 0, {resetAt})
            ON CONFLICT (key) DO UPDATE SET remaining = 0, reset_at = EXCLUDED.reset_at
            """, cancellationToken);
    }
}
