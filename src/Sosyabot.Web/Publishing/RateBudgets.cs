using Microsoft.EntityFrameworkCore;
using Npgsql;
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

// A post's claim on its windows while it is in flight; Granted false when a window had nothing left to promise.
public sealed record InFlightReservation(Guid Id, bool Granted, RateWindow? Exhausted, DateTimeOffset? ResetAt);

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

    // Posts: reserves one request in every window without spending it yet. A window grants while its remaining count
    // exceeds its live reservations. Lapsed reservations (a node died mid-send) are deleted, not spent: if that request
    // did reach X, X's next answer lowers the count (the lower figure is kept), so nothing stays stranded beyond the
    // lease. One round trip, its commit included: per window a statement takes the budget's row lock (and opens a new
    // window when the old one reset); the last statement, in a snapshot taken after every lock, counts what is in
    // flight and reserves in all windows or in none, returning the windows that had nothing left to promise.
    public async Task<InFlightReservation> ReserveAsync(
        IEnumerable<RateWindow> windows, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        var ordered = InLockOrder(windows, w => w).ToList();
        var keys = ordered.Select(w => w.Key).ToArray();
        var commands = ordered.Select(window => Command("""
            WITH lapsed AS (DELETE FROM rate_budget_reservations WHERE key = $1 AND expires_at <= $2)
            INSERT INTO rate_budgets (key, "limit", remaining, reset_at) VALUES ($1, $3, $3, $4)
            ON CONFLICT (key) DO UPDATE SET
                remaining = CASE WHEN rate_budgets.reset_at <= $2 THEN rate_budgets."limit" ELSE rate_budgets.remaining END,
                reset_at = CASE WHEN rate_budgets.reset_at <= $2 THEN $4 ELSE rate_budgets.reset_at END
            """, window.Key, now, window.Limit, now + window.Length)).ToList();
        commands.Add(Command("""
            WITH exhausted AS (
                SELECT b.key, b.reset_at FROM rate_budgets b
                WHERE b.key = ANY($1)
                  AND b.remaining <= (SELECT count(*) FROM rate_budget_reservations r WHERE r.key = b.key AND r.expires_at > $2)
            ), reserved AS (
                INSERT INTO rate_budget_reservations (key, id, held_by, expires_at)
                SELECT k, $3, $4, $5 FROM unnest($1::text[]) AS k WHERE NOT EXISTS (SELECT FROM exhausted)
            )
            SELECT key, reset_at FROM exhausted
            """, keys, now, id, holder, now + lease));
        var exhausted = new Dictionary<string, DateTimeOffset>();
        await RunBudgetBatchAsync(commands, reader => exhausted[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1), cancellationToken);
        return ordered.FirstOrDefault(w => exhausted.ContainsKey(w.Key)) is { } full
            ? new InFlightReservation(id, false, full, exhausted[full.Key])
            : new InFlightReservation(id, true, null, null);
    }

    // X answered the reserved request (or may have: its answer was lost). Where X's headers describe a window they
    // are adopted as ObserveAsync does; a window without a header counts the request itself, since X may have it.
    public async Task SettleAsync(
        InFlightReservation reservation, IEnumerable<(RateWindow Window, XRateWindow? Observed)> windows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        // In the order ReserveAsync locks them: no two transactions wait on each other.
        var commands = InLockOrder(windows, w => w.Window)
            .Select(w => w.Observed is { } x
                ? Command(ObserveSql, w.Window.Key, x.Limit, x.Remaining, x.ResetAt)
                : Command("UPDATE rate_budgets SET remaining = GREATEST(remaining - 1, 0) WHERE key = $1 AND reset_at > $2", w.Window.Key, now))
            .Append(Command("DELETE FROM rate_budget_reservations WHERE key = ANY($1) AND id = $2",
                windows.Select(w => w.Window.Key).ToArray(), reservation.Id));
        await RunBudgetBatchAsync(commands, readRow: null, cancellationToken);
    }

    // The app's window is every account's: it is locked last, so that its row is held for as short a time as possible.
    private static IEnumerable<T> InLockOrder<T>(IEnumerable<T> items, Func<T, RateWindow> windowOf) =>
        items.OrderBy(item => windowOf(item).Key.StartsWith("tweets:app:", StringComparison.Ordinal));

    // The reserved request never reached X: what it reserved is free again.
    public async Task ReleaseAsync(InFlightReservation reservation, CancellationToken cancellationToken) =>
        await db.RateBudgetReservations.Where(r => r.Id == reservation.Id).ExecuteDeleteAsync(cancellationToken);

    // A budget transaction: one batch, which PostgreSQL runs as one implicit transaction and commits at its end, in
    // the same round trip. Every post reserves and settles in the app's window, one row all accounts share, and its
    // lock is held until that commit: a COMMIT sent after the app has read the results (a round trip on a busy
    // machine) and a commit that waits for the WAL to reach the disk each made 32 senders queue behind one another.
    // The commit does not wait for the disk: budgets are estimates that X's headers correct, and a reservation lapses
    // by itself, so a database crash loses at most the budget writes of the sends in flight then (up to
    // PUBLISHER_CONCURRENCY per node; any later synchronous commit flushes earlier ones), and X's window may be
    // overshot by that many until X's 429 closes it. Nothing is sent twice: claims and the deliveries' states stay
    // synchronous. An error in any statement rolls the whole batch back.
    // readRow sees the rows of the first command that returns any.
    private async Task RunBudgetBatchAsync(
        IEnumerable<NpgsqlBatchCommand> commands, Action<NpgsqlDataReader>? readRow, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is not null)
        {
            throw new InvalidOperationException("A budget batch commits by itself; it cannot run inside another transaction.");
        }
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection());
            foreach (var command in commands)
            {
                batch.BatchCommands.Add(command);
            }
            // Last, so that the commands' results come first; it holds until the commit all the same.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'off', true)"));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            while (readRow is not null && await reader.ReadAsync(cancellationToken))
            {
                readRow(reader);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return command;
    }

    // X's reset is the truth about where the window ends (ours was only a guess from first use). In the same window
    // keep the lower count: answers arrive out of order, and within a window X's figure only falls.
    private const string ObserveSql = """
        INSERT INTO rate_budgets (key, "limit", remaining, reset_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (key) DO UPDATE SET
            "limit" = EXCLUDED."limit",
            remaining = CASE WHEN EXCLUDED.reset_at = rate_budgets.reset_at
                THEN LEAST(rate_budgets.remaining, EXCLUDED.remaining) ELSE EXCLUDED.remaining END,
            reset_at = EXCLUDED.reset_at
        """;

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
