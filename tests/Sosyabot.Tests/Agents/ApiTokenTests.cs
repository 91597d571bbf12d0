using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Workspaces;
using Sosyabot.Web.Agents;

namespace Sosyabot.Tests.Agents;

public sealed class ApiTokenTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task CreateToken_ShownOnceStoredHashedListedByHint()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);

        var token = await workspace.CreateTokenAsync("read", "write");

        Assert.StartsWith("sbt_", token);
        Assert.True(token.Length >= 40);
        var stored = string.Join("\n", await app.Database.ReadColumnAsync(
            "SELECT name || ' ' || hint || ' ' || encode(secret_hash, 'escape') || ' ' || array_to_string(scopes, ',') FROM api_tokens"));
        Assert.DoesNotContain(token, stored);
        Assert.DoesNotContain(token[4..], stored);

        var page = await workspace.User.GetDocumentAsync("/app/settings/api-tokens");
        Assert.DoesNotContain(token, page.Source.Text);
        Assert.Null(page.QuerySelector("#token-secret"));
        var row = Assert.Single(page.QuerySelectorAll("li.api-token"));
        Assert.Contains(token[..10], row.TextContent);
        Assert.Contains("scopes: read, write", row.TextContent);
        Assert.Contains("never used", row.TextContent);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(token));
    }

    [Fact]
    public async Task CreateToken_NoScopeChosen_IsRefusedWithAMessage()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => workspace.CreateTokenAsync());

        Assert.Contains("Choose at least one scope", error.Message);
    }

    [Fact]
    public async Task Api_WithoutTokenOrWithAStrangerOne_Answers401ProblemDetails()
    {
        using var anonymous = app.CreateClient(new() { HandleCookies = false });
        using var none = await anonymous.GetAsync("/api/v1/channels");
        using var forged = await AgentWorkspace.Agent(app, "sbt_" + new string('x', 43)).GetAsync("/api/v1/channels");
        using var foreign = await AgentWorkspace.Agent(app, "ghp_not-a-sosyabot-token").GetAsync("/api/v1/channels");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Contains("Authorization: Bearer sbt_", await none.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("unknown or has been revoked", await forged.Content.ReadAsStringAsync());
        Assert.Equal("Bearer error=\"invalid_token\"", forged.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", forged.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Contains("start with sbt_", await foreign.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_RevokedToken_Answers401()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var token = await workspace.CreateTokenAsync("read");
        using var agent = AgentWorkspace.Agent(app, token);
        using var before = await agent.GetAsync("/api/v1/channels");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        var page = await workspace.User.GetDocumentAsync("/app/settings/api-tokens");
        using var revoked = await workspace.User.SubmitAsync(page, "li.api-token .revoke");
        var after = await HtmlForms.ParseAsync(revoked);
        using var rejected = await agent.GetAsync("/api/v1/channels");

        Assert.Contains("is revoked", after.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal("revoked", after.QuerySelector("li.api-token")!.GetAttribute("data-state"));
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Contains("unknown or has been revoked", await rejected.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_TokenRevokedOnAnotherNode_WorksHereNoLongerThanTheCacheLifetime()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var token = await workspace.CreateTokenAsync("read");
        using var agent = AgentWorkspace.Agent(app, token);
        using var first = await agent.GetAsync("/api/v1/channels");

        // Another node revoked it: the row changed, and this node was not told.
        await app.Database.ExecuteAsync($"UPDATE api_tokens SET revoked_at = now() WHERE secret_hash = sha256(convert_to('{token}', 'UTF8'))");
        using var withinLifetime = await agent.GetAsync("/api/v1/channels");
        app.Clock.Advance(ApiTokenCache.Lifetime);
        using var afterLifetime = await agent.GetAsync("/api/v1/channels");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withinLifetime.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLifetime.StatusCode);
        Assert.Contains("unknown or has been revoked", await afterLifetime.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_CreatorMadeViewerOnThisNode_TokenLosesWriteOnItsNextCall()
    {
        var owner = await AgentWorkspace.RegisterAsync(app);
        var channel = await owner.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var (editor, editorEmail) = await Membership.JoinAsync(app, owner.User, "Editor");
        using var agent = AgentWorkspace.Agent(app, await RemotePerson.CreateTokenAsync(editor, ["read", "write"]));
        using var asEditor = await agent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts", new { text = "while an editor", draft = true });

        var members = await owner.User.GetDocumentAsync("/app/settings/members");
        using (await owner.User.SubmitAsync(members, $"li.member[data-email='{editorEmail}'] .change-role button",
                   new Dictionary<string, string> { ["role"] = "Viewer" }))
        {
        }
        using var asViewer = await agent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts", new { text = "as a viewer", draft = true });

        Assert.Equal(HttpStatusCode.Created, asEditor.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Contains("now viewer", await asViewer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Api_TokenOfAnAccountTheAdminDisabled_Answers401UntilItIsEnabledAgain()
    {
        var email = $"disabled-agent-{Guid.NewGuid():N}@sosyabot.test";
        var workspace = new AgentWorkspace(app, await app.RegisterAsync(email));
        using var agent = AgentWorkspace.Agent(app, await workspace.CreateTokenAsync("read"));
        var admin = await app.LogInAsAdminAsync();

        var users = await admin.GetDocumentAsync("/admin/users");
        using (await admin.SubmitAsync(users, $"tr[data-email='{email}'] button.disable"))
        {
        }
        using var refused = await agent.GetAsync("/api/v1/channels");
        users = await admin.GetDocumentAsync("/admin/users");
        using (await admin.SubmitAsync(users, $"tr[data-email='{email}'] button.enable"))
        {
        }
        using var accepted = await agent.GetAsync("/api/v1/channels");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("has been disabled by the instance's admin", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Api_ScopesEnforced_403NamesTheMissingScopeAndXIsNotCalled()
    {
        app.X.Reset();
        var workspace = await AgentWorkspace.RegisterAsync(app);
        var channel = await workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        app.X.Reset();
        using var readOnly = AgentWorkspace.Agent(app, await workspace.CreateTokenAsync("read"));
        using var writeOnly = AgentWorkspace.Agent(app, await workspace.CreateTokenAsync("write"));

        using var like = await readOnly.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/likes", new { tweet_id = "1234567890" });
        using var post = await readOnly.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts", new { text = "hello" });
        using var dm = await readOnly.GetAsync($"/api/v1/channels/{channel.Id}/direct-messages");
        using var search = await writeOnly.GetAsync($"/api/v1/channels/{channel.Id}/search?query=sosyabot");

        Assert.Equal(HttpStatusCode.Forbidden, like.StatusCode);
        Assert.Contains("lacks the 'write' scope", await like.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, dm.StatusCode);
        Assert.Contains("lacks the 'dm' scope", await dm.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, search.StatusCode);
        Assert.Contains("lacks the 'read' scope", await search.Content.ReadAsStringAsync());
        Assert.Empty(app.X.LogEntries);
    }

    [Fact]
    public async Task Api_AnotherWorkspacesChannelOrPost_Answers404AndXIsNotCalled()
    {
        app.X.Reset();
        var owner = await AgentWorkspace.RegisterAsync(app);
        var channel = await owner.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var ownerAgent = AgentWorkspace.Agent(app, await owner.CreateTokenAsync("read", "write", "dm"));
        using var queued = await ownerAgent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts", new { text = "mine" });
        var postId = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        app.X.Reset();

        var stranger = await AgentWorkspace.RegisterAsync(app);
        using var agent = AgentWorkspace.Agent(app, await stranger.CreateTokenAsync("read", "write", "dm"));
        var attempts = new List<HttpResponseMessage>
        {
            await agent.GetAsync($"/api/v1/channels/{channel.Id}/timeline"),
            await agent.GetAsync($"/api/v1/channels/{channel.Id}/search?query=x"),
            await agent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts", new { text = "not yours" }),
            await agent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/likes", new { tweet_id = "1" }),
            await agent.DeleteAsync($"/api/v1/channels/{channel.Id}/retweets/1"),
            await agent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/direct-messages", new { participant_id = "1", text = "hi" }),
            await agent.GetAsync($"/api/v1/posts/{postId}"),
        };
        using var list = await agent.GetAsync("/api/v1/channels");

        Assert.All(attempts, response => Assert.Equal(HttpStatusCode.NotFound, response.StatusCode));
        Assert.Equal("[]", await list.Content.ReadAsStringAsync());
        Assert.Empty(app.X.LogEntries);
        await using var db = app.Database.CreateDbContext();
        Assert.Equal(1, await db.Posts.CountAsync(p => p.WorkspaceId == channel.WorkspaceId));
    }

    [Fact]
    public async Task Api_TokenUse_ShowsAsLastUsedOnTheSettingsPage()
    {
        var workspace = await AgentWorkspace.RegisterAsync(app);
        using var agent = AgentWorkspace.Agent(app, await workspace.CreateTokenAsync("read"));

        using var response = await agent.GetAsync("/api/v1/channels");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await workspace.User.GetDocumentAsync("/app/settings/api-tokens");
        Assert.Contains($"last used {app.Clock.GetUtcNow().UtcDateTime:yyyy-MM-dd HH:mm} UTC", page.QuerySelector("li.api-token .last-used")!.TextContent);
    }

    [Fact]
    public async Task RemoveMember_RevokesTheTokensTheyCreated()
    {
        var owner = await app.RegisterAsync($"owner-{Guid.NewGuid():N}@sosyabot.test");
        var shared = Guid.Parse(await Workspaces.Membership.CurrentWorkspaceIdAsync(owner));
        var (member, memberEmail) = await Workspaces.Membership.JoinAsync(app, owner, "Editor");
        using var agent = AgentWorkspace.Agent(app, await new AgentWorkspace(app, member).CreateTokenAsync("read"));
        using var before = await agent.GetAsync("/api/v1/channels");
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        await using (var db = app.Database.CreateDbContext())
        {
            Assert.Equal(shared, await db.ApiTokens.Where(t => t.CreatedBy.Email == memberEmail).Select(t => t.WorkspaceId).SingleAsync());
        }

        var page = await owner.GetDocumentAsync("/app/settings/members");
        using var removed = await owner.SubmitAsync(page, $"li.member[data-email='{memberEmail}'] .remove-member button");
        using var after = await agent.GetAsync("/api/v1/channels");

        Assert.Contains("API token(s) they created were revoked", (await HtmlForms.ParseAsync(removed)).QuerySelector(".flash-success")!.TextContent);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
