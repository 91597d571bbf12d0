using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Admin;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;
using Sosyabot.Web.X;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Security;

// Someone has a full dump of the database (pg_dump) and nothing else: not the key-encryption key. With it they try to
// decrypt every secret column and to forge a sign-in cookie that opens the admin page.
public sealed class DatabaseDumpTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    private static readonly string[] ChannelSecretColumns =
        ["access_token_protected", "refresh_token_protected", "session_auth_token_protected", "session_ct0_protected", "api_keys_protected"];

    private static readonly Dictionary<string, string> KindOfColumn = new()
    {
        ["access_token_protected"] = SecretKinds.ChannelAccessToken,
        ["refresh_token_protected"] = SecretKinds.ChannelRefreshToken,
        ["session_auth_token_protected"] = SecretKinds.ChannelSessionAuthToken,
        ["session_ct0_protected"] = SecretKinds.ChannelSessionCt0,
        ["api_keys_protected"] = SecretKinds.ChannelApiKeys,
    };

    [Fact]
    public async Task Dump_WithoutTheKeyEncryptionKey_DecryptsNoSecretAndForgesNoCookie()
    {
        var secrets = await FillAsync();
        var dump = await DatabaseCopy.DumpAsync(app.Database);

        // No secret in plaintext anywhere in the dump.
        Assert.All(secrets, s => Assert.DoesNotContain(s.Value, dump, StringComparison.Ordinal));
        var keyRing = DatabaseCopy.Rows(dump, "DataProtectionKeys").Select(r => r["Xml"]!).ToList();
        Assert.NotEmpty(keyRing);
        Assert.All(keyRing, xml => Assert.Contains("wrappedKey", xml, StringComparison.Ordinal));
        var protectedValues = ProtectedValues(dump);
        Assert.Equal(6, protectedValues.Count); // the client secret, two OAuth tokens, two cookies, one API-keys document

        // Sanity: the same dump with the right KEK opens every value, so the attempts below are real attempts.
        using (var owner = DatabaseCopy.ProviderFromKeyRing(keyRing, AppProcess.DataProtectionKey))
        {
            Assert.Equal(6, Decrypted(owner, protectedValues).Count);
        }

        var attempts = 0;
        var succeeded = new List<string>();
        foreach (var kek in new[] { null, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) })
        {
            using var attacker = DatabaseCopy.ProviderFromKeyRing(keyRing, kek);
            attempts += protectedValues.Count;
            succeeded.AddRange(Decrypted(attacker, protectedValues).Select(v => $"{v} decrypted with KEK {(kek is null ? "none" : "random")}"));
            // Also every value under the previous release's single purpose, the other way a dump's ciphertext could open.
            var legacy = attacker.GetRequiredService<IDataProtectionProvider>().CreateProtector("Sosyabot.Secrets.v1");
            foreach (var value in protectedValues)
            {
                attempts++;
                try
                {
                    legacy.Unprotect(value.Stored[SecretProtector.Prefix.Length..]);
                    succeeded.Add($"{value} decrypted under the v1 purpose");
                }
                catch (CryptographicException)
                {
                }
            }

            var forged = await DatabaseCopy.ForgeAuthCookieAsync(
                app.Services, attacker.GetRequiredService<IDataProtectionProvider>(), SosyabotAppFactory.AdminEmail);
            attempts++;
            var (status, location) = await DatabaseCopy.GetWithCookieAsync(app, "/admin", forged);
            if (status == HttpStatusCode.OK || location?.Contains("/account/login", StringComparison.Ordinal) != true)
            {
                succeeded.Add($"a cookie forged with KEK {(kek is null ? "none" : "random")} got {(int)status} {location}");
            }
        }

        // Sanity: a cookie made the same way with the app's own key ring opens the admin page.
        var genuine = await DatabaseCopy.ForgeAuthCookieAsync(
            app.Services, app.Services.GetRequiredService<IDataProtectionProvider>(), SosyabotAppFactory.AdminEmail);
        Assert.Equal(HttpStatusCode.OK, (await DatabaseCopy.GetWithCookieAsync(app, "/admin", genuine)).Status);

        Assert.True(succeeded.Count == 0, $"{succeeded.Count} of {attempts} attempts succeeded:\n" + string.Join("\n", succeeded));
    }

    [Fact]
    public async Task RestoredCopy_StartedWithAnotherKey_ReadsNoSecretAndItsCookiesOpenNothing()
    {
        var secrets = await FillAsync();
        var dump = await DatabaseCopy.DumpAsync(app.Database);
        var copy = await TestDatabase.CreateEmptyAsync();
        try
        {
            await DatabaseCopy.RestoreAsync(dump, copy);
            await using var stolen = new AppNode(copy, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            await stolen.InitializeAsync();
            using (stolen.CreateClient())
            {
            }

            await using (var scope = stolen.Services.CreateAsyncScope())
            {
                var integration = await scope.ServiceProvider.GetRequiredService<XIntegrationSettings>().GetAsync(CancellationToken.None);
                Assert.True(integration.StoredSecretUnreadable);
                Assert.False(integration.ClientSecret.HasValue);
                var protector = scope.ServiceProvider.GetRequiredService<SecretProtector>();
                var opened = ProtectedValues(dump).Where(v =>
                {
                    try
                    {
                        return secrets.ContainsValue(protector.Unprotect(v.Purpose, v.Stored));
                    }
                    catch (CryptographicException)
                    {
                        return false;
                    }
                }).ToList();
                Assert.Empty(opened);
            }

            // The stolen copy's own sign-in cookie for the admin, sent to the real instance.
            var forged = await DatabaseCopy.ForgeAuthCookieAsync(
                stolen.Services, stolen.Services.GetRequiredService<IDataProtectionProvider>(), SosyabotAppFactory.AdminEmail);
            var (status, location) = await DatabaseCopy.GetWithCookieAsync(app, "/admin", forged);
            Assert.Equal(HttpStatusCode.Redirect, status);
            Assert.Contains("/account/login", location, StringComparison.Ordinal);
        }
        finally
        {
            await copy.DisposeAsync();
        }
    }

    // An admin saved a client secret; a user connected an OAuth channel (with a refresh token), a cookie channel and an
    // API-keys channel. The plaintexts, to look for.
    private async Task<Dictionary<string, string>> FillAsync()
    {
        await app.Database.ExecuteAsync("DELETE FROM channels");
        var clientSecret = "DumpClientSecret-" + Guid.NewGuid().ToString("N");
        var accessToken = "DumpAccessToken-" + Guid.NewGuid().ToString("N");
        var refreshToken = "DumpRefreshToken-" + Guid.NewGuid().ToString("N");
        var authToken = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "01234567";
        var ct0 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var keys = ByokKeys.NewReadWrite();

        var admin = app.CreateBrowserClient();
        using (var login = await admin.SubmitLoginAsync("/account/login", SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword))
        {
            Assert.Equal("/app/channels", login.RequestMessage!.RequestUri!.AbsolutePath);
        }
        await XTwitterAdminPage.SaveAsync(admin, AppWithFakeX.ClientId, clientSecret, "enabled", longLived: true);

        app.GivenTokenEndpointIssues(accessToken, refreshToken, scope: "tweet.read tweet.write users.read");
        app.GivenUsersMe("8001", "dump_oauth");
        app.X.Given(Request.Create().WithPath("/i/api/1.1/account/verify_credentials.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { id_str = "8002", screen_name = "dump_cookie", name = "Dump Cookie" }));
        var user = await app.RegisterAsync($"dump-{Guid.NewGuid():N}@sosyabot.test");
        await XConnectFlow.ConnectAsync(user);
        var channels = await user.GetDocumentAsync("/app/channels");
        using (await user.SubmitAsync(channels, "#connect-cookies",
                   new Dictionary<string, string> { ["Cookies.AuthToken"] = authToken, ["Cookies.Ct0"] = ct0 }))
        {
        }
        await new AgentWorkspace(app, user).ConnectApiKeysAsync(keys);

        return new Dictionary<string, string>
        {
            ["client secret"] = clientSecret, ["access token"] = accessToken, ["refresh token"] = refreshToken,
            ["auth_token"] = authToken, ["ct0"] = ct0, ["API key"] = keys.ApiKey, ["API secret"] = keys.ApiSecret,
            ["bearer token"] = keys.BearerToken, ["user access token"] = keys.AccessToken!, ["user access secret"] = keys.AccessTokenSecret!,
        };
    }

    // Every protected value in the dump with the purpose its row gives it.
    private static List<ProtectedValue> ProtectedValues(string dump)
    {
        var values = new List<ProtectedValue>();
        foreach (var channel in DatabaseCopy.Rows(dump, "channels"))
        {
            foreach (var column in ChannelSecretColumns)
            {
                if (channel[column] is { } stored)
                {
                    values.Add(new ProtectedValue($"channels.{column}", stored,
                        SecretPurpose.Channel(KindOfColumn[column], Guid.Parse(channel["workspace_id"]!), Guid.Parse(channel["id"]!))));
                }
            }
        }
        values.AddRange(DatabaseCopy.Rows(dump, "options").Where(o => o["key"] == OptionKeys.XClientSecret)
            .Select(o => new ProtectedValue("options.x-twitter_client-secret", o["value"]!, XIntegrationSettings.ClientSecretPurpose)));
        Assert.All(values, v => Assert.StartsWith(SecretProtector.Prefix, v.Stored));
        return values;
    }

    private static List<ProtectedValue> Decrypted(ServiceProvider services, List<ProtectedValue> values)
    {
        var protector = new SecretProtector(services.GetRequiredService<IDataProtectionProvider>());
        var opened = new List<ProtectedValue>();
        foreach (var value in values)
        {
            try
            {
                protector.Unprotect(value.Purpose, value.Stored);
                opened.Add(value);
            }
            catch (Exception ex) when (ex is CryptographicException or InvalidOperationException)
            {
            }
        }
        return opened;
    }

    private sealed record ProtectedValue(string Column, string Stored, SecretPurpose Purpose)
    {
        public override string ToString() => Column;
    }
}
