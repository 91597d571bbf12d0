using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Publishing;

// Group commit: posts stored for concurrent requests share transactions, and each request learns its own post's fate.
public sealed class PostCommitsTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task StoreAsync_ManyAtOnceWithOneTheDatabaseRefuses_EveryOtherPostIsStoredAndOnlyThatOneFails()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var channel = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var commits = app.Services.GetRequiredService<PostCommits>();
        var marker = Guid.NewGuid().ToString("N");
        Post NewPost(int n, Guid channelId)
        {
            var post = new Post
            {
                WorkspaceId = channel.WorkspaceId, CreatedByUserId = channel.ConnectedByUserId, CreatedAt = app.Clock.GetUtcNow(),
                DueAt = app.Clock.GetUtcNow().AddYears(50), Parts = [$"{marker} {n}"],
            };
            post.Deliveries.Add(new Delivery { WorkspaceId = channel.WorkspaceId, ChannelId = channelId, DueAt = post.DueAt });
            return post;
        }
        // More than one commit holds, so that some go together and some wait for the next commit.
        var good = Enumerable.Range(0, 3 * PostCommits.MaxPostsPerCommit).Select(n => NewPost(n, channel.Id)).ToList();
        // A channel that does not exist (as if removed meanwhile): the delivery's foreign key refuses it.
        var refused = NewPost(-1, Guid.NewGuid());

        var storing = good.Select(post => Task.Run(() => commits.StoreAsync(post, CancellationToken.None))).ToList();
        var failing = Task.Run(() => commits.StoreAsync(refused, CancellationToken.None));
        await Task.WhenAll(storing);
        var failure = await Assert.ThrowsAsync<DbUpdateException>(() => failing);

        Assert.Equal("FK_deliveries_channels_channel_id", Assert.IsType<PostgresException>(failure.InnerException).ConstraintName);
        await using var db = app.Database.CreateDbContext();
        var stored = await db.Posts.AsNoTracking().Where(p => p.Parts[0].StartsWith(marker)).Select(p => p.Parts[0]).ToListAsync();
        Assert.Equal(good.Select(p => p.Parts[0]).Order(), stored.Order());
        Assert.Equal(good.Count, await db.Deliveries.CountAsync(d => d.ChannelId == channel.Id && d.Post.Parts[0].StartsWith(marker)));
        Assert.All(good, post => Assert.NotEqual(0u, post.Version));
    }
}
