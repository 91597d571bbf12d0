using Microsoft.EntityFrameworkCore;
using Npgsql;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Publishing;

// Stores the new posts of concurrent requests in shared transactions (group commit). A post that arrives while no
// commit is in flight is committed at once by its own request; those that arrive meanwhile wait for that commit to
// end and then go in the next one, together. A request is answered only after the commit that holds its post, so
// nothing is acknowledged that is not stored, and a lone request waits for nobody. At publish-now rates this turns
// one transaction (its insert and its commit, two round trips) per post into one per batch.
public sealed class PostCommits(IDbContextFactory<SosyabotDbContext> contexts)
{
    // Keeps a commit's statement small; more waiting than this go in the following commits.
    internal const int MaxPostsPerCommit = 64;

    private readonly Lock _gate = new();
    private List<PendingPost> _waiting = [];
    private bool _committing;

    private sealed record PendingPost(Post Post, TaskCompletionSource Stored);

    // Stores post with its deliveries and images; returns once they are committed, or throws what the database said.
    // A request cancelled while its post still waits takes the post back; once the post is in a commit, the commit's
    // outcome is the request's, so that a client that gave up and tries again does not find it stored twice unawares.
    public async Task StoreAsync(Post post, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingPost(post, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        bool leads;
        lock (_gate)
        {
            _waiting.Add(pending);
            leads = !_committing;
            _committing = true;
        }
        if (leads)
        {
            // Nothing was in flight, so nothing waited: this commit holds this post, and perhaps some that came since.
            await CommitAsync(TakeWaiting()!);
            if (TakeWaiting() is { } next)
            {
                // Those that came during the commit go on without holding up this request's answer, or carrying its context.
                using (ExecutionContext.SuppressFlow())
                {
                    _ = Task.Run(() => CommitAllAsync(next), CancellationToken.None);
                }
            }
        }
        try
        {
            await pending.Stored.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            lock (_gate)
            {
                if (_waiting.Remove(pending))
                {
                    throw;
                }
            }
            await pending.Stored.Task;
        }
    }

    private async Task CommitAllAsync(List<PendingPost> batch)
    {
        for (var next = batch; next is not null; next = TakeWaiting())
        {
            await CommitAsync(next);
        }
    }

    // The posts waiting, up to a commit's worth; null when none wait, and then the next post to come leads.
    private List<PendingPost>? TakeWaiting()
    {
        lock (_gate)
        {
            if (_waiting.Count == 0)
            {
                _committing = false;
                return null;
            }
            if (_waiting.Count <= MaxPostsPerCommit)
            {
                var all = _waiting;
                _waiting = [];
                return all;
            }
            var first = _waiting[..MaxPostsPerCommit];
            _waiting.RemoveRange(0, MaxPostsPerCommit);
            return first;
        }
    }

    // Never throws: each waiting request gets its post's outcome.
    private async Task CommitAsync(List<PendingPost> batch)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(CancellationToken.None);
            db.Posts.AddRange(batch.Select(p => p.Post));
            await db.SaveChangesAsync(CancellationToken.None);
            foreach (var pending in batch)
            {
                pending.Stored.TrySetResult();
            }
        }
        catch (Exception ex) when (batch.Count > 1 && RolledBackForCertain(ex))
        {
            // The database refused one of them (a name too long for its column, a channel deleted meanwhile), and
            // rolled all of them back: that one must fail alone, not the other requests' posts, in any workspace.
            foreach (var pending in batch.Where(p => !p.Stored.Task.IsCompleted))
            {
                await CommitAsync([pending]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Stored.TrySetException(ex);
            }
        }
    }

    // PostgreSQL answered with an error, or the client failed before sending: nothing was committed. A connection that
    // broke is not certain (the commit may have happened), so its batch fails as a whole, as one request's would.
    private static bool RolledBackForCertain(Exception ex) => (ex is DbUpdateException ? ex.InnerException : ex) switch
    {
        PostgresException => true,
        NpgsqlException => false,
        _ => ex is DbUpdateException,
    };
}
