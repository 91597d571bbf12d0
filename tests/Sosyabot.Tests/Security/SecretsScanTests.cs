using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Sosyabot.Tests.Admin;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Publishing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Security;

// The app with every log level switched on, so that the scan sees everything a verbose instance would log.
public sealed class VerboseAppWithFakeX : AppWithFakeX
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Serilog:MinimumLevel:Default"] = "Verbose",
        ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
        ["Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore"] = "Verbose",
        ["Serilog:MinimumLevel:Override:System.Net.Http.HttpClient"] = "Verbose",
        ["Serilog:MinimumLevel:Override:Polly"] = "Verbose",
    };
}

// A full run (admin save, OAuth connect with long-lived tokens, cookie connect, API keys, an API token,
// publishing from the composer and the API, disconnect), then every table, every log line (at Verbose)
// and every page served is searched for each secret in plaintext.
public sealed class SecretsScanTests(VerboseAppWithFakeX app) : IClassFixture<VerboseAppWithFakeX>
{
    [Fact]
    public async Task FullRun_NoSecretInTheDatabaseLogsOrPages()
    {
        var pages = new List<(string Url, string Body)>();
        var clientSecret = "ScanClientSecret-" + Guid.NewGuid().ToString("N");
        var accessToken = "ScanAccessToken-" + Guid.NewGuid().ToString("N");
        var refreshToken = "ScanRefreshToken-" + Guid.NewGuid().ToString("N");
        var authToken = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "01234567";
        var ct0 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        var keys = ByokKeys.NewReadWrite();
        // x.com hands a fresh ct0 back in Set-Cookie while the cookie channel publishes: stored encrypted, never logged.
        var rotatedCt0 = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "ab";

        var admin = Recording(app.CreateBrowserClient(), pages, app);
        await LogInAsync(admin, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);
        await XTwitterAdminPage.SaveAsync(admin, AppWithFakeX.ClientId, clientSecret, "enabled", longLived: true);
        await XTwitterAdminPage.TestAsync(admin);

        app.GivenTokenEndpointIssues(accessToken, refreshToken, scope: "tweet.read tweet.write users.read");
        app.GivenUsersMe("7001", "scan_oauth");
        app.X.Given(Request.Create().WithPath("/i/api/1.1/account/verify_credentials.json").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { id_str = "7002", screen_name = "scan_cookie", name = "Scan Cookie" }));
        app.X.Given(Request.Create().WithPath("/2/oauth2/revoke").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { revoked = true }));
        new FakeXPosts(app.Clock).Install(app.X, priority: 20);
        app.X.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/i/api/graphql/*/CreateTweet")).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200)
                .WithHeader("Set-Cookie", $"ct0={rotatedCt0}; Max-Age=157680000; Path=/; Domain=.x.com; Secure; SameSite=Lax")
                .WithHeader("x-rate-limit-limit", "100").WithHeader("x-rate-limit-remaining", "99")
                .WithHeader("x-rate-limit-reset",
                    app.Clock.GetUtcNow().AddMinutes(15).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))
                .WithBodyAsJson(new
                {
                    data = new
                    {
                        create_tweet = new
                        {
                            tweet_results = new
                            {
                                result = new { rest_id = "1900000000000000001", legacy = new { full_text = "Scanned post through cookies" } },
                            },
                        },
                    },
                }));
        var user = await app.RegisterAsync($"scan-{Guid.NewGuid():N}@sosyabot.test");
        var recordedUser = Recording(user, pages, app);
        await XConnectFlow.ConnectAsync(recordedUser);
        var channels = await recordedUser.GetDocumentAsync("/app/channels");
        using (await recordedUser.SubmitAsync(channels, "#connect-cookies",
            new Dictionary<string, string> { ["Cookies.AuthToken"] = authToken, ["Cookies.Ct0"] = ct0 }))
        {
        }
        var workspace = new AgentWorkspace(app, recordedUser);
        var byok = await workspace.ConnectApiKeysAsync(keys);
        var apiToken = await workspace.CreateTokenAsync("read", "write", "dm");
        // The token is on that one page by design ("shown once"); every other page is scanned for it.
        var shownOnce = pages.Count - 1;

        var composer = await recordedUser.GetDocumentAsync("/app/publishing");
        var oauthChannel = composer.QuerySelector("input[name='Compose.ChannelIds'][data-handle='scan_oauth']")!.GetAttribute("value")!;
        using (await recordedUser.SubmitAsync(composer, "#publish", new Dictionary<string, string>
               {
                   ["Compose.Parts[0]"] = "Scanned post from the composer", ["Compose.ChannelIds"] = oauthChannel, ["Compose.When"] = "now",
               }))
        {
        }
        composer = await recordedUser.GetDocumentAsync("/app/publishing");
        var cookieChannel = composer.QuerySelector("input[name='Compose.ChannelIds'][data-handle='scan_cookie']")!.GetAttribute("value")!;
        using (await recordedUser.SubmitAsync(composer, "#publish", new Dictionary<string, string>
               {
                   ["Compose.Parts[0]"] = "Scanned post through cookies", ["Compose.ChannelIds"] = cookieChannel, ["Compose.When"] = "now",
               }))
        {
        }
        using var agent = AgentWorkspace.Agent(app, apiToken);
        using (await agent.PostAsJsonAsync($"/api/v1/channels/{byok.Id}/posts", new { text = "Scanned post from an agent" }))
        {
        }
        await app.Services.GetRequiredService<Publisher>().DrainAsync();
        await recordedUser.GetDocumentAsync("/app/publishing");
        var createTweet = Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path.EndsWith("/CreateTweet", StringComparison.Ordinal));
        Assert.Equal(200, createTweet.ResponseMessage.StatusCode);
        Assert.Equal(ct0, createTweet.RequestMessage.Headers!["x-csrf-token"].Single());
        var details = await recordedUser.GetDocumentAsync($"/app/channels/{oauthChannel}");
        using (await recordedUser.SubmitAsync(details, "#disconnect"))
        {
        }

        var secrets = new Dictionary<string, string>
        {
            ["client secret"] = clientSecret, ["OAuth access token"] = accessToken, ["OAuth refresh token"] = refreshToken,
            ["auth_token cookie"] = authToken, ["ct0 cookie"] = ct0, ["API key"] = keys.ApiKey, ["API key secret"] = keys.ApiSecret,
            ["bearer token"] = keys.BearerToken, ["access token"] = keys.AccessToken!, ["access token secret"] = keys.AccessTokenSecret!,
            ["Sosyabot API token"] = apiToken, ["rotated ct0 (Set-Cookie)"] = rotatedCt0,
        };
        var dump = await DumpDatabaseAsync();
        var logs = app.Logs.Lines.ToList();
        Assert.True(logs.Count > 200, $"only {logs.Count} log lines: is the verbose logging on?");
        Assert.True(pages.Count > 10, $"only {pages.Count} pages recorded");
        var found = new List<string>();
        foreach (var (name, secret) in secrets)
        {
            if (dump.Contains(secret, StringComparison.Ordinal))
            {
                found.Add($"{name} in the database dump");
            }
            found.AddRange(logs.Where(line => line.Contains(secret, StringComparison.Ordinal)).Select(line => $"{name} in a log line: {line}"));
            found.AddRange(pages.Where((page, i) => page.Body.Contains(secret, StringComparison.Ordinal) && !(i == shownOnce && secret == apiToken))
                .Select(page => $"{name} in the page {page.Url}"));
        }
        Assert.True(found.Count == 0, string.Join("\n", found));
        Assert.Contains(apiToken, pages[shownOnce].Body);
    }

    private static BrowserClient Recording(BrowserClient client, List<(string Url, string Body)> pages, SosyabotAppFactory app) =>
        new(() => new RecordingHandler(app.Server.CreateHandler(), pages), client.Cookies, followRedirects: true);

    private static async Task LogInAsync(BrowserClient client, string email, string password)
    {
        using var response = await client.SubmitLoginAsync("/account/login", email, password);
        Assert.Equal("/app/channels", response.RequestMessage!.RequestUri!.AbsolutePath);
    }

    private async Task<string> DumpDatabaseAsync()
    {
        await using var connection = new NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            // Every row as PostgreSQL's own text form, the way a dump would show it (bytea as hex, arrays expanded).
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                dump.AppendLine(reader.GetString(0));
            }
        }
        return dump.ToString();
    }

    private sealed class RecordingHandler(HttpMessageHandler server, List<(string Url, string Body)> pages) : DelegatingHandler(server)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            pages.Add((request.RequestUri!.PathAndQuery, await response.Content.ReadAsStringAsync(cancellationToken)));
            return response;
        }
    }
}
