using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Security;

// Hostile and malformed input on every form and API body: each is refused with a message saying what is
// wrong, and nothing is stored. Injection strings in free text are text: stored as typed, shown escaped.
public sealed class HostileInputTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private AgentWorkspace _workspace = null!;
    private Guid _channelId;
    private HttpClient _agent = null!;

    public static readonly string Oversized = new('x', 100_000);
    public const string Nul = "hello\u0000world";
    public const string Bell = "bell\u0007";
    public const string SqlInjection = "x'); DROP TABLE posts; --";
    public const string HtmlInjection = "<script>alert('owned')</script><img src=x onerror=alert(1)>";

    public async Task InitializeAsync()
    {
        app.X.Reset();
        _workspace = await AgentWorkspace.RegisterAsync(app);
        _channelId = (await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite())).Id;
        _agent = AgentWorkspace.Agent(app, await _workspace.CreateTokenAsync("read", "write", "dm"));
        app.X.Reset();
    }

    public Task DisposeAsync()
    {
        _agent.Dispose();
        return Task.CompletedTask;
    }

    // (page, submit button, field, value, what the page must say)
    public static TheoryData<string, string, string, string, string> HostileForms => new()
    {
        { "/app/publishing", "#publish", "Compose.Parts[0]", Oversized, "characters as X counts them" },
        // A NUL anywhere in a form body is refused before the page sees it: the 400 page.
        { "/app/publishing", "#publish", "Compose.Parts[0]", Nul, "Bad request" },
        { "/app/publishing", "#publish", "Compose.Parts[0]", Bell, "control character (U+0007)" },
        { "/app/workspaces/new", "#create-workspace", "Name", Oversized, "maximum length" },
        { "/app/workspaces/new", "#create-workspace", "Name", Bell, "control characters" },
        { "/app/workspaces/new", "#create-workspace", "Name", Nul, "Bad request" },
        { "/app/settings/api-tokens", "#create", "Input.Name", Oversized, "maximum length" },
        { "/app/settings/api-tokens", "#create", "Input.Name", Bell, "control character (U+0007)" },
        { "/app/settings/members", "#invite", "Invite.Email", Bell + "@x.test", "control character" },
        { "/app/settings/members", "#invite", "Invite.Email", Nul + "@x.test", "Bad request" },
        { "/app/settings/members", "#invite", "Invite.Email", SqlInjection, "not a valid e-mail" },
        { "/app/channels", "#connect-cookies", "Cookies.AuthToken", SqlInjection, "40 hexadecimal" },
        { "/app/channels", "#connect-cookies", "Cookies.AuthToken", Oversized, "maximum length" },
        { "/app/channels", "#connect-api-keys", "ApiKeys.BearerToken", HtmlInjection, "starts with AAAA" },
        { "/app/channels", "#connect-api-keys", "ApiKeys.AccessToken", Bell, "{user_id}-{token}" },
    };

    [Theory]
    [MemberData(nameof(HostileForms))]
    public async Task Form_HostileValue_IsRefusedWithAMessageAndNothingIsStored(string path, string submit, string field, string value, string expected)
    {
        var before = await RowCountsAsync();
        var page = await _workspace.User.GetDocumentAsync(path);
        // Every other field of the form valid, so that the message is about the hostile one.
        var values = field.StartsWith("ApiKeys.", StringComparison.Ordinal) ? ByokKeys.NewReadWrite().FormValues() : [];
        values[field] = value;
        if (field == "Cookies.AuthToken")
        {
            values["Cookies.Ct0"] = new string('a', 32);
        }
        if (path == "/app/publishing")
        {
            values["Compose.ChannelIds"] = _channelId.ToString();
        }

        using var response = await _workspace.User.SubmitAsync(page, submit, values);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{(int)response.StatusCode}");
        var shown = await HtmlForms.ParseAsync(response);
        var messages = string.Join(" | ", shown.QuerySelectorAll(".flash-error, .field-error, .validation-summary-errors li, .auth-card h1")
            .Select(e => e.TextContent.Trim()));
        Assert.True(messages.Contains(expected, StringComparison.OrdinalIgnoreCase), $"{(int)response.StatusCode}: {messages}");
        Assert.Equal(before, await RowCountsAsync());
        Assert.Empty(app.X.LogEntries);
    }

    // (method, path under the channel, raw JSON body, what the problem must say)
    public static TheoryData<string, string, string, string> HostileBodies => new()
    {
        { "POST", "posts", "{\"text\": 42}", "could not be converted" },
        { "POST", "posts", "{\"text\": \"unterminated", "could not be read" },
        { "POST", "posts", "[]", "could not be read" },
        { "POST", "posts", $"{{\"text\": \"{Oversized}\"}}", "characters as X counts them" },
        { "POST", "posts", "{\"text\": \"hello\\u0000world\"}", "control character (U+0000)" },
        // System.Text.Json itself refuses an escaped lone surrogate; the composer's check covers other ways in.
        { "POST", "posts", "{\"text\": \"broken \\ud83d text\"}", "could not be converted" },
        { "POST", "posts", "{\"thread\": \"not a list\"}", "could not be converted" },
        { "POST", "posts", "{\"text\": \"hi\", \"reply_to_tweet_id\": \"1 OR 1=1\"}", "numeric id" },
        { "POST", "posts", "{\"text\": \"hi\", \"media\": [{\"content_type\": \"image/png\", \"data\": \"%%%\"}]}", "base64" },
        { "POST", "likes", $"{{\"tweet_id\": \"{SqlInjection}\"}}", "numeric id" },
        { "POST", "likes", "{\"tweet_id\": 123}", "could not be converted" },
        { "POST", "direct-messages", "{\"participant_id\": \"<b>1</b>\", \"text\": \"hi\"}", "numeric X user id" },
        { "POST", "direct-messages", "{\"participant_id\": \"1\", \"text\": \"bell\\u0007\"}", "control character (U+0007)" },
        { "GET", "search?query=%00", "", "control character (U+0000)" },
        { "GET", "timeline?max_results=100000", "", "between 5 and 100" },
        { "GET", "timeline?user_id=1%27%20OR%201%3D1", "", "numeric X user id" },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Api_HostileBody_Answers400ProblemAndStoresNothing(string method, string path, string body, string expected)
    {
        var before = await RowCountsAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/v1/channels/{_channelId}/{path}");
        if (body.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await _agent.SendAsync(request);

        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(
            problem.Contains(expected, StringComparison.OrdinalIgnoreCase)
                || System.Text.Json.JsonDocument.Parse(problem).RootElement.ToString().Contains(expected, StringComparison.OrdinalIgnoreCase),
            problem);
        Assert.Equal(before, await RowCountsAsync());
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task InjectionStringsInFreeText_AreStoredAsTypedAndShownEscaped()
    {
        var page = await _workspace.User.GetDocumentAsync("/app/publishing");
        var text = SqlInjection + " " + HtmlInjection;
        using var response = await _workspace.User.SubmitAsync(page, "#publish", new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = text, ["Compose.ChannelIds"] = _channelId.ToString(), ["Compose.When"] = "schedule",
            ["Compose.ScheduledLocal"] = DateTime.UtcNow.AddDays(2).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), ["Compose.TimeZone"] = "UTC",
        });

        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", html);
        Assert.Contains("&lt;script&gt;", html);
        await using var db = app.Database.CreateDbContext();
        Assert.True(await db.Posts.AnyAsync(p => p.Parts[0] == text));
        Assert.True(await db.Posts.AnyAsync(), "the posts table is still there");
    }

    private async Task<string> RowCountsAsync()
    {
        await using var db = app.Database.CreateDbContext();
        return $"posts={await db.Posts.CountAsync()} channels={await db.Channels.CountAsync()} tokens={await db.ApiTokens.CountAsync()} " +
               $"workspaces={await db.Workspaces.CountAsync()} members={await db.WorkspaceMembers.CountAsync()} users={await db.Users.CountAsync()}";
    }
}
