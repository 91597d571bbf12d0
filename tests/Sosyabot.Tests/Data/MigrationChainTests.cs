using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Tests.Data;

// Upgrades run against databases that earlier releases filled, so every migration must apply to tables that hold
// rows. The fixture walks the chain as those databases did: it stops at named historic migrations, writes what a
// user of that release would have written, and ends at whatever migration is latest, so a migration added later is
// exercised without touching this file. The seed SQL is written against each historic schema, which never changes;
// the assertions read the rows back through today's model.
public sealed class MigrationChainTests(MigrationChainTests.FilledChain chain) : IClassFixture<MigrationChainTests.FilledChain>
{
    private const string UserId = "0b8a4c1e-6a53-4f1e-9d2a-3c4e5f6a7b01";
    private const string MemberUserId = "0b8a4c1e-6a53-4f1e-9d2a-3c4e5f6a7b02";
    private static readonly Guid WorkspaceId = Guid.Parse("01935a10-0000-7000-8000-000000000001");
    private static readonly Guid OAuthChannelId = Guid.Parse("01935a10-0000-7000-8000-000000000011");
    private static readonly Guid CookieChannelId = Guid.Parse("01935a10-0000-7000-8000-000000000012");
    private static readonly Guid ApiKeysChannelId = Guid.Parse("01935a10-0000-7000-8000-000000000013");
    private static readonly Guid ThreadPostId = Guid.Parse("01935a10-0000-7000-8000-000000000021");
    private static readonly Guid ScheduledPostId = Guid.Parse("01935a10-0000-7000-8000-000000000022");
    private static readonly Guid MediaPostId = Guid.Parse("01935a10-0000-7000-8000-000000000023");
    private static readonly Guid ReplyPostId = Guid.Parse("01935a10-0000-7000-8000-000000000024");
    private static readonly Guid PublishedDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000031");
    private static readonly Guid FailedDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000032");
    private static readonly Guid QueuedDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000033");
    private static readonly Guid PublishingDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000034");
    private static readonly Guid MediaDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000035");
    private static readonly Guid ReplyDeliveryId = Guid.Parse("01935a10-0000-7000-8000-000000000036");
    private static readonly Guid TokenId = Guid.Parse("01935a10-0000-7000-8000-000000000041");

    private static readonly (string Migration, string Sql)[] History =
    [
        ("Initial", $"""
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled",
                "LockoutEnabled", "AccessFailedCount")
            VALUES ('{UserId}', 'ada@example.com', 'ADA@EXAMPLE.COM', 'ada@example.com', 'ADA@EXAMPLE.COM', true,
                'AQAAAAIAAYagAAAAEHash', 'SECURITYSTAMP', 'c6b1c7f2-0d7e-4f43-b1d6-2f0f4d3e2a10', false, false, true, 0);
            INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ('{UserId}', '6f1f7c1e-3c1b-4a55-9a53-0c8f5e0b7a01');
            INSERT INTO options (key, value, updated_at, updated_by)
            VALUES ('x-twitter_client-id', 'client-id-from-the-console', '2026-11-01 09:00+00', 'ada@example.com');
            """),
        ("WorkspacesAndChannels", $"""
            INSERT INTO workspaces (id, name, created_at) VALUES ('{WorkspaceId}', 'Ada''s workspace', '2026-11-01 09:05+00');
            INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
            VALUES ('{WorkspaceId}', '{UserId}', 'Owner', '2026-11-01 09:05+00');
            INSERT INTO "AspNetUsers" ("Id", "UserName", "NormalizedUserName", "Email", "NormalizedEmail", "EmailConfirmed",
                "PasswordHash", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled",
                "LockoutEnabled", "AccessFailedCount")
            VALUES ('{MemberUserId}', 'grace@example.com', 'GRACE@EXAMPLE.COM', 'grace@example.com', 'GRACE@EXAMPLE.COM', true,
                'AQAAAAIAAYagAAAAEHash', 'SECURITYSTAMP2', 'c6b1c7f2-0d7e-4f43-b1d6-2f0f4d3e2a11', false, false, true, 0);
            INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)
            VALUES ('{WorkspaceId}', '{MemberUserId}', 'Member', '2026-11-01 09:06+00');
            INSERT INTO channels (id, workspace_id, x_user_id, kind, handle, display_name, state, state_reason,
                connected_by_user_id, connected_at, access_token_protected, refresh_token_protected,
                access_token_expires_at, scopes, session_auth_token_protected, session_ct0_protected)
            VALUES
                ('{OAuthChannelId}', '{WorkspaceId}', '1001', 'OAuth2', 'ada', 'Ada', 'active', NULL,
                    '{UserId}', '2026-11-01 09:10+00', 'CfDJ8access', 'CfDJ8refresh', '2026-11-01 11:10+00',
                    'tweet.read tweet.write users.read offline.access', NULL, NULL),
                ('{CookieChannelId}', '{WorkspaceId}', '1002', 'Cookie', 'ada_web', 'Ada on the web', 'needs_reconnect',
                    'X signed this session out.', '{UserId}', '2026-11-01 09:15+00', NULL, NULL, NULL, NULL,
                    'CfDJ8authtoken', 'CfDJ8ct0');
            INSERT INTO connect_attempts (id, workspace_id, user_id, reconnect_channel_id, created_at)
            VALUES ('01935a10-0000-7000-8000-000000000051', '{WorkspaceId}', '{UserId}', '{CookieChannelId}', '2026-11-01 09:20+00');
            """),
        ("Publishing", $"""
            INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, time_zone, parts)
            VALUES
                ('{ThreadPostId}', '{WorkspaceId}', '{UserId}', '2026-11-02 08:00+00', '2026-11-02 08:00+00', NULL,
                    ARRAY['First part of the thread', 'Second part']),
                ('{ScheduledPostId}', '{WorkspaceId}', '{UserId}', '2026-11-02 08:30+00', '2026-12-01 07:00+00',
                    'Europe/Istanbul', ARRAY['Good morning']);
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, reason, tweet_ids,
                sending_part, sending_since, claimed_at, claimed_by, published_at)
            VALUES
                ('{PublishedDeliveryId}', '{ThreadPostId}', '{WorkspaceId}', '{OAuthChannelId}', 'published',
                    '2026-11-02 08:00+00', 1, NULL, ARRAY['1860000000000000001', '1860000000000000002'],
                    NULL, NULL, NULL, NULL, '2026-11-02 08:00:03+00'),
                ('{FailedDeliveryId}', '{ThreadPostId}', '{WorkspaceId}', '{CookieChannelId}', 'failed',
                    '2026-11-02 08:00+00', 3, 'X refused the session.', ARRAY['1860000000000000003'],
                    NULL, NULL, NULL, NULL, NULL),
                ('{QueuedDeliveryId}', '{ScheduledPostId}', '{WorkspaceId}', '{OAuthChannelId}', 'queued',
                    '2026-12-01 07:00+00', 0, NULL, ARRAY[]::text[], NULL, NULL, NULL, NULL, NULL),
                ('{PublishingDeliveryId}', '{ScheduledPostId}', '{WorkspaceId}', '{CookieChannelId}', 'publishing',
                    '2026-12-01 07:00+00', 1, NULL, ARRAY[]::text[], 0, '2026-12-01 07:00:01+00', '2026-12-01 07:00+00',
                    'node-a', NULL);
            INSERT INTO rate_budgets (key, "limit", remaining, reset_at)
            VALUES ('tweets:user:1001', 100, 97, '2026-11-02 08:15+00'), ('tweets:app:client-id', 10000, 9990, '2026-11-03 08:00+00');
            """),
        ("PostMedia", $"""
            INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, time_zone, parts)
            VALUES ('{MediaPostId}', '{WorkspaceId}', '{UserId}', '2026-11-03 08:00+00', '2026-11-03 08:00+00', NULL,
                ARRAY['A picture']);
            INSERT INTO post_media (id, post_id, position, file_name, content_type, bytes, alt_text)
            VALUES ('01935a10-0000-7000-8000-000000000061', '{MediaPostId}', 0, 'cat.png', 'image/png',
                decode('89504e470d0a1a0a', 'hex'), 'A cat asleep on a keyboard');
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, reason, tweet_ids,
                x_media_ids, x_media_expire_at)
            VALUES ('{MediaDeliveryId}', '{MediaPostId}', '{WorkspaceId}', '{OAuthChannelId}', 'waiting_for_rate_limit',
                '2026-11-03 08:15+00', 1, 'X''s limit of 100 posts per 15 minutes for this account', ARRAY[]::text[],
                ARRAY['1870000000000000001'], '2026-11-04 08:00+00');
            """),
        ("AgentGateway", $"""
            INSERT INTO channels (id, workspace_id, x_user_id, kind, handle, display_name, state, connected_by_user_id,
                connected_at, api_keys_protected, is_read_only)
            VALUES ('{ApiKeysChannelId}', '{WorkspaceId}', '1003', 'ApiKeys', 'ada_bot', 'Ada''s bot', 'active',
                '{UserId}', '2026-11-04 09:00+00', 'CfDJ8apikeys', true);
            INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, time_zone, parts,
                in_reply_to_tweet_id, quote_tweet_id)
            VALUES ('{ReplyPostId}', '{WorkspaceId}', '{UserId}', '2026-11-04 10:00+00', '2026-11-04 10:00+00', NULL,
                ARRAY['Agreed.'], '1860000000000000001', NULL);
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids)
            VALUES ('{ReplyDeliveryId}', '{ReplyPostId}', '{WorkspaceId}', '{OAuthChannelId}', 'queued',
                '2026-11-04 10:00+00', 0, ARRAY[]::text[], ARRAY[]::text[]);
            INSERT INTO api_tokens (id, workspace_id, name, hint, secret_hash, scopes, created_by_user_id, created_at,
                last_used_at, revoked_at)
            VALUES ('{TokenId}', '{WorkspaceId}', 'Research agent', 'sbt_abcdef…', sha256('sbt_abcdef'::bytea),
                ARRAY['read', 'write'], '{UserId}', '2026-11-04 09:30+00', '2026-11-04 09:45+00', NULL);
            """),
    ];

    [Fact]
    public async Task MigrateAsync_DatabaseFilledByEveryRelease_AppliesEveryMigration()
    {
        await using var db = chain.Database.CreateDbContext();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task MigrateAsync_DeliveriesFromBeforePostMedia_KeepTheirTweetsAndHaveNoMedia()
    {
        await using var db = chain.Database.CreateDbContext();

        var deliveries = await db.Deliveries.AsNoTracking()
            .Where(d => d.Id == PublishedDeliveryId || d.Id == FailedDeliveryId || d.Id == QueuedDeliveryId || d.Id == PublishingDeliveryId)
            .ToDictionaryAsync(d => d.Id);

        Assert.All(deliveries.Values, d => Assert.Empty(d.XMediaIds));
        Assert.All(deliveries.Values, d => Assert.Null(d.XMediaExpireAt));
        Assert.Equal(["1860000000000000001", "1860000000000000002"], deliveries[PublishedDeliveryId].TweetIds);
        Assert.Equal(DeliveryStates.Failed, deliveries[FailedDeliveryId].State);
        Assert.Equal(DeliveryStates.Queued, deliveries[QueuedDeliveryId].State);
        Assert.Equal(0, deliveries[PublishingDeliveryId].SendingPart);
        Assert.Equal("node-a", deliveries[PublishingDeliveryId].ClaimedBy);
    }

    [Fact]
    public async Task MigrateAsync_ChannelsFromBeforeAgentGateway_StayWritableWithTheirCredentials()
    {
        await using var db = chain.Database.CreateDbContext();

        var channels = await db.Channels.AsNoTracking().ToDictionaryAsync(c => c.Id);

        var oauth = channels[OAuthChannelId];
        Assert.Equal(ChannelKind.OAuth2, oauth.Kind);
        Assert.False(oauth.IsReadOnly);
        Assert.Null(oauth.ApiKeysProtected);
        Assert.Equal("CfDJ8refresh", oauth.RefreshTokenProtected);
        var cookie = channels[CookieChannelId];
        Assert.Equal(ChannelKind.Cookie, cookie.Kind);
        Assert.False(cookie.IsReadOnly);
        Assert.Equal(ChannelStates.NeedsReconnect, cookie.State);
        Assert.Equal("CfDJ8ct0", cookie.SessionCt0Protected);
        Assert.True(channels[ApiKeysChannelId].IsReadOnly);
    }

    [Fact]
    public async Task MigrateAsync_RowsOfEveryRelease_ReadThroughTheCurrentModel()
    {
        await using var db = chain.Database.CreateDbContext();

        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == UserId);
        Assert.Equal("ada@example.com", user.Email);
        Assert.Equal(WorkspaceRole.Owner, (await db.WorkspaceMembers.AsNoTracking().SingleAsync(m => m.UserId == UserId)).Role);
        // Before roles, every member who was not the owner could publish and connect: they are editors now.
        Assert.Equal(WorkspaceRole.Editor, (await db.WorkspaceMembers.AsNoTracking().SingleAsync(m => m.UserId == MemberUserId)).Role);
        Assert.Equal("client-id-from-the-console", (await db.Options.AsNoTracking().SingleAsync(o => o.Key == "x-twitter_client-id")).Value);
        Assert.Equal(97, (await db.RateBudgets.AsNoTracking().SingleAsync(b => b.Key == "tweets:user:1001")).Remaining);

        var posts = await db.Posts.AsNoTracking().Include(p => p.Media).Include(p => p.Deliveries).ToDictionaryAsync(p => p.Id);
        Assert.Equal(["First part of the thread", "Second part"], posts[ThreadPostId].Parts);
        Assert.Equal(2, posts[ThreadPostId].Deliveries.Count);
        Assert.Equal("Europe/Istanbul", posts[ScheduledPostId].TimeZone);
        var media = Assert.Single(posts[MediaPostId].Media);
        Assert.Equal("A cat asleep on a keyboard", media.AltText);
        Assert.Equal(["1870000000000000001"], Assert.Single(posts[MediaPostId].Deliveries).XMediaIds);
        Assert.Null(posts[ThreadPostId].InReplyToTweetId);
        Assert.Equal("1860000000000000001", posts[ReplyPostId].InReplyToTweetId);
        Assert.Equal(ReplyDeliveryId, Assert.Single(posts[ReplyPostId].Deliveries).Id);

        var token = await db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == TokenId);
        Assert.Equal(["read", "write"], token.Scopes);
        Assert.Null(token.RevokedAt);
    }

    [Fact]
    public async Task MigrateAsync_ToLatest_GivesEveryArrayColumnAnEmptyDefault()
    {
        var columnsWithoutEmptyDefault = await chain.Database.ReadColumnAsync("""
            SELECT table_name || '.' || column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND data_type = 'ARRAY' AND (column_default IS NULL OR column_default NOT LIKE '''{}''::%')
            ORDER BY 1
            """);

        Assert.Empty(columnsWithoutEmptyDefault);
    }

    public sealed class FilledChain : IAsyncLifetime
    {
        public TestDatabase Database { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Database = await TestDatabase.CreateEmptyAsync();
            await using var db = Database.CreateDbContext();
            var migrator = db.GetService<IMigrator>();
            foreach (var (migration, sql) in History)
            {
                await migrator.MigrateAsync(migration);
                await Database.ExecuteAsync(sql);
            }
            await migrator.MigrateAsync();
        }

        public async Task DisposeAsync() => await Database.DisposeAsync();
    }
}
