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
    public async Task StoreAsync(Post post)
    {
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
                // Those that came during the commit go on without holding up this request's answer.
                _ = Task.Run(() => CommitAllAsync(next));
            }
        }
        await pending.Stored.Task;
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
        }
        catch (DbUpdateException ex) when (batch.Count > 1 && ex.InnerException is PostgresException { SqlState: var state } && state.StartsWith("23", StringComparison.Ordinal))
        {
            // The database refused one of them (its channel was deleted meanwhile, say), and rolled all of them back:
            // that one must fail alone. Any other failure (the database gone mid-commit) is every one's.
            foreach (var pending in batch)
            {
                await CommitAsync([pending]);
            }
            return;
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                pending.Stored.TrySetException(ex);
            }
            return;
        }
        foreach (var pending in batch)
        {
            pending.Stored.TrySetResult();
        }
    }
}
