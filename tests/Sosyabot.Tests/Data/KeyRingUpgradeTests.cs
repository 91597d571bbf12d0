using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Admin;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;

namespace Sosyabot.Tests.Data;

// The key ring and the secret columns as the previous release left them (keys in plaintext XML, every secret "P|" under
// one purpose), then the new release started on that database.
public sealed class KeyRingUpgradeTests : IAsyncLifetime
{
    private static readonly string[] SecretColumns =
        ["access_token_protected", "refresh_token_protected", "session_auth_token_protected", "session_ct0_protected", "api_keys_protected"];

    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await TestDatabase.CreateAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task Start_TwoNodesOnADatabaseOfThePreviousRelease_RewriteItsSecretsAndRemoveThePlaintextKey()
    {
        var clientSecret = "OldClientSecret-" + Guid.NewGuid().ToString("N");
        var accessToken = "OldAccessToken-" + Guid.NewGuid().ToString("N");
        var keys = ByokKeys.NewReadWrite();
        var email = $"old-{Guid.NewGuid():N}@sosyabot.test";
        string oldCookie;
        Guid oldKeyId;
        await using (var previous = new AppNode(_database, AppProcess.DataProtectionKey))
        {
            await previous.InitializeAsync();
            var admin = previous.CreateBrowserClient();
            using (await admin.SubmitLoginAsync("/account/login", SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword))
            {
            }
            await XTwitterAdminPage.SaveAsync(admin, AppWithFakeX.ClientId, clientSecret, "enabled", longLived: true);
            previous.GivenTokenEndpointIssues(accessToken, "OldRefreshToken-" + Guid.NewGuid().ToString("N"));
            previous.GivenUsersMe("9001", "old_oauth");
            var user = await previous.RegisterAsync(email);
            await XConnectFlow.ConnectAsync(user);
            await new AgentWorkspace(previous, user).ConnectApiKeysAsync(keys);
            var plaintexts = await PlaintextsAsync(previous);

            // The previous release's AddData: the same table, no key encryption, one purpose for every secret.
            await _database.ExecuteAsync("DELETE FROM \"DataProtectionKeys\"");
            var old = new ServiceCollection();
            old.AddLogging();
            old.AddDbContext<SosyabotDbContext>(o => o.UseSosyabotDatabase(_database.ConnectionString));
            old.AddDataProtection().SetApplicationName("Sosyabot").PersistKeysToDbContext<SosyabotDbContext>();
            await using var oldServices = old.BuildServiceProvider();
            var oldProvider = oldServices.GetRequiredService<IDataProtectionProvider>();
            var v1 = oldProvider.CreateProtector("Sosyabot.Secrets.v1");
            foreach (var (table, column, where, plaintext) in plaintexts)
            {
                await _database.ExecuteAsync($"UPDATE {table} SET {column} = 'P|{v1.Protect(plaintext)}' WHERE {where}");
            }
            oldCookie = await DatabaseCopy.ForgeAuthCookieAsync(previous.Services, oldProvider, SosyabotAppFactory.AdminEmail);
            var keyRow = Assert.Single(await _database.ReadColumnAsync("SELECT \"Xml\" FROM \"DataProtectionKeys\""));
            Assert.Contains("<masterKey", keyRow, StringComparison.Ordinal);
            Assert.DoesNotContain("encryptedSecret", keyRow, StringComparison.Ordinal);
            oldKeyId = (Guid)System.Xml.Linq.XElement.Parse(keyRow).Attribute("id")!;
            Assert.Equal(plaintexts.Count, (await AllSecretsAsync()).Count(v => v.StartsWith("P|", StringComparison.Ordinal)));
        }

        await using var nodeA = new AppNode(_database, AppProcess.DataProtectionKey);
        await using var nodeB = new AppNode(_database, AppProcess.DataProtectionKey);
        await nodeA.InitializeAsync();
        await nodeB.InitializeAsync();
        await Task.WhenAll(Task.Run(() => nodeA.CreateClient().Dispose()), Task.Run(() => nodeB.CreateClient().Dispose()));

        // The key ring: one new key, wrapped; the plaintext one gone.
        var ring = Assert.Single(await _database.ReadColumnAsync("SELECT \"Xml\" FROM \"DataProtectionKeys\""));
        Assert.Contains("wrappedKey", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", ring, StringComparison.Ordinal);
        Assert.DoesNotContain(oldKeyId.ToString(), ring, StringComparison.Ordinal);
        Assert.All(await AllSecretsAsync(), v => Assert.StartsWith(SecretProtector.Prefix, v));

        // The client secret reads back; the OAuth channel publishes through (fake) X with its token; the keys check out.
        await using (var scope = nodeA.Services.CreateAsyncScope())
        {
            var integration = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(CancellationToken.None);
            Assert.False(integration.StoredSecretUnreadable);
            Assert.Equal((clientSecret, SettingSource.AdminPanel), (integration.ClientSecret.Value, integration.ClientSecret.Source));
            var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
            var byok = await db.Channels.SingleAsync(c => c.Kind == ChannelKind.ApiKeys);
            AgentWorkspace.GivenXKnows(nodeA, keys);
            await scope.ServiceProvider.GetRequiredService<ChannelConnections>().CheckAsync(byok, CancellationToken.None);
        }
        new FakeXPosts(nodeB.Clock).Install(nodeB.X);
        var person = nodeB.CreateBrowserClient();
        using (var login = await person.SubmitLoginAsync("/account/login", email, "a-long-enough-password"))
        {
            Assert.Equal("/app/channels", login.RequestMessage!.RequestUri!.AbsolutePath);
        }
        var composer = await person.GetDocumentAsync("/app/publishing");
        var oauthChannel = composer.QuerySelector("input[name='Compose.ChannelIds'][data-handle='old_oauth']")!.GetAttribute("value")!;
        using (await person.SubmitAsync(composer, "#publish", new Dictionary<string, string>
               {
                   ["Compose.Parts[0]"] = "Published after the upgrade", ["Compose.ChannelIds"] = oauthChannel, ["Compose.When"] = "now",
               }))
        {
        }
        await nodeB.Services.GetRequiredService<Publisher>().DrainAsync();
        var tweet = Assert.Single(nodeB.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");
        Assert.Equal($"Bearer {accessToken}", tweet.RequestMessage.Headers!["Authorization"].Single());

        // A session of the previous release died with its key.
        var (status, location) = await DatabaseCopy.GetWithCookieAsync(nodeA, "/admin", oldCookie);
        Assert.Equal(HttpStatusCode.Redirect, status);
        Assert.Contains("/account/login", location, StringComparison.Ordinal);

        // A third start finds nothing left to do.
        await using var nodeC = new AppNode(_database, AppProcess.DataProtectionKey);
        await nodeC.InitializeAsync();
        nodeC.CreateClient().Dispose();
        Assert.Equal(ring, Assert.Single(await _database.ReadColumnAsync("SELECT \"Xml\" FROM \"DataProtectionKeys\"")));
    }

    [Theory]
    [InlineData(null, "DATA_PROTECTION_KEY is not set")]
    [InlineData("dG9vLXNob3J0", "DATA_PROTECTION_KEY must be 32 random bytes in base64")]
    public async Task Start_WithoutAUsableKeyEncryptionKey_FailsNamingTheSetting(string? key, string message)
    {
        await using var node = new AppNode(_database, key);
        await node.InitializeAsync();

        Assert.Contains(message, node.ReasonForRefusing(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithANewKeyAndThePreviousOne_WrapsTheKeyRingAgainWithTheNewKey()
    {
        var newKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var clientSecret = "RotatedClientSecret-" + Guid.NewGuid().ToString("N");
        await using (var before = new AppNode(_database, AppProcess.DataProtectionKey))
        {
            await before.InitializeAsync();
            var admin = before.CreateBrowserClient();
            using (await admin.SubmitLoginAsync("/account/login", SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword))
            {
            }
            await XTwitterAdminPage.SaveAsync(admin, AppWithFakeX.ClientId, clientSecret, "enabled", longLived: false);
        }

        await using (var rotating = new AppNodeWithPreviousKey(_database, newKey, AppProcess.DataProtectionKey))
        {
            await rotating.InitializeAsync();
            rotating.CreateClient().Dispose();
        }

        // The old KEK is gone from the configuration: the ring opens with the new one alone.
        await using var after = new AppNode(_database, newKey);
        await after.InitializeAsync();
        after.CreateClient().Dispose();
        await using var scope = after.Services.CreateAsyncScope();
        var integration = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(CancellationToken.None);
        Assert.Equal(clientSecret, integration.ClientSecret.Value);
        var oldKekId = KeyEncryptionKey.Parse(AppProcess.DataProtectionKey).Id;
        Assert.All(await _database.ReadColumnAsync("SELECT \"Xml\" FROM \"DataProtectionKeys\""),
            xml => Assert.DoesNotContain(oldKekId, xml, StringComparison.Ordinal));
    }

    // Every secret the app stored, with the SQL to put it back in the previous release's format.
    private static async Task<List<(string Table, string Column, string Where, string Plaintext)>> PlaintextsAsync(AppNode app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
        var result = new List<(string, string, string, string)>();
        foreach (var channel in await db.Channels.AsNoTracking().ToListAsync())
        {
            var stored = new Dictionary<string, (string Kind, string? Value)>
            {
                ["access_token_protected"] = (SecretKinds.ChannelAccessToken, channel.AccessTokenProtected),
                ["refresh_token_protected"] = (SecretKinds.ChannelRefreshToken, channel.RefreshTokenProtected),
                ["session_auth_token_protected"] = (SecretKinds.ChannelSessionAuthToken, channel.SessionAuthTokenProtected),
                ["session_ct0_protected"] = (SecretKinds.ChannelSessionCt0, channel.SessionCt0Protected),
                ["api_keys_protected"] = (SecretKinds.ChannelApiKeys, channel.ApiKeysProtected),
            };
            foreach (var (column, (kind, value)) in stored.Where(s => s.Value.Value is not null))
            {
                result.Add(("channels", column, $"id = '{channel.Id}'", protector.Unprotect(ChannelSecrets.PurposeOf(channel, kind), value!)));
            }
        }
        var secret = await db.Options.AsNoTracking().SingleAsync(o => o.Key == OptionKeys.XClientSecret);
        result.Add(("options", "value", $"key = '{OptionKeys.XClientSecret}'", protector.Unprotect(XIntegrationSettings.ClientSecretPurpose, secret.Value)));
        Assert.Equal(4, result.Count); // the client secret, the OAuth access and refresh tokens, the API-keys document
        return result;
    }

    private async Task<List<string>> AllSecretsAsync()
    {
        var values = new List<string>();
        foreach (var column in SecretColumns)
        {
            values.AddRange(await _database.ReadColumnAsync($"SELECT {column} FROM channels WHERE {column} IS NOT NULL"));
        }
        values.AddRange(await _database.ReadColumnAsync($"SELECT value FROM options WHERE key = '{OptionKeys.XClientSecret}'"));
        return values;
    }

    private sealed class AppNodeWithPreviousKey(TestDatabase database, string key, string previousKey) : AppWithFakeX
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["DATA_PROTECTION_KEY"] = key,
            ["DATA_PROTECTION_PREVIOUS_KEYS"] = previousKey,
        };

        public override Task InitializeAsync()
        {
            Database = database;
            return Task.CompletedTask;
        }
    }
}
