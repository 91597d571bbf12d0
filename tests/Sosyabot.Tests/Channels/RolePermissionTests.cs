using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Workspaces;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Channels;

// The role table of issue 16, route by route: every /app page handler and every /api/v1 endpoint, enumerated from the
// endpoint data source, is called by a member of each role (pages with the member's browser session, the agent API
// with a token the member created before their role was set) against workspace resources the owner made. What the
// table forbids must answer 403; what it allows must not. A route with no rule below fails the test.
public sealed class RolePermissionTests(AppWithFakeX app, ITestOutputHelper output) : IClassFixture<AppWithFakeX>
{
    // What a route needs, written out from the issue rather than read back from the app's attributes.
    private const string View = "view";
    private const string Publish = "publish";
    private const string Connect = "connect channels";
    private const string OwnersChannel = "manage a channel the owner connected";
    private const string CreateTokens = "create tokens";
    private const string OwnersToken = "revoke the owner's token";
    private const string ManageMembers = "manage members";
    private const string AnyMember = "any signed-in member";
    private const string ManageSettings = "manage workspace settings";
    private const string ManageWebhooks = "manage webhooks";

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Owner"] = [View, Publish, Connect, OwnersChannel, CreateTokens, OwnersToken, ManageMembers, ManageSettings, ManageWebhooks, AnyMember],
        ["Admin"] = [View, Publish, Connect, OwnersChannel, CreateTokens, OwnersToken, ManageMembers, ManageSettings, ManageWebhooks, AnyMember],
        ["Editor"] = [View, Publish, Connect, CreateTokens, AnyMember],
        ["Viewer"] = [View, AnyMember],
    };

    // "METHOD route [handler]" → rule. /api/v1 token routes are ruled by their scope (read → view, write and dm → publish).
    private static readonly Dictionary<string, string> Rules = new()
    {
        ["GET /app/channels"] = View,
        ["POST /app/channels ConnectX"] = Connect,
        ["POST /app/channels ConnectCookies"] = Connect,
        ["POST /app/channels ConnectApiKeys"] = Connect,
        ["GET /app/channels/{id}"] = View,
        ["POST /app/channels/{id} Check"] = Connect,
        ["POST /app/channels/{id} Reconnect"] = OwnersChannel,
        ["POST /app/channels/{id} Disconnect"] = OwnersChannel,
        ["POST /app/channels/{id} Remove"] = OwnersChannel,
        ["GET /app/publishing"] = View,
        ["POST /app/publishing"] = Publish,
        ["GET /app/publishing/posts/{id}"] = View,
        ["POST /app/publishing/posts/{id} Cancel"] = Publish,
        ["POST /app/publishing/posts/{id} Retry"] = Publish,
        ["POST /app/publishing/posts/{id} PublishHeld"] = Publish,
        ["POST /app/publishing/posts/{id} DeleteFromX"] = Publish,
        ["POST /app/publishing/posts/{id} Duplicate"] = Publish,
        ["POST /app/publishing/posts/{id} DeleteDraft"] = Publish,
        ["POST /app/publishing/posts/{id} Reschedule"] = Publish,
        ["GET /app/publishing/posts/{id}/edit"] = Publish,
        ["POST /app/publishing/posts/{id}/edit"] = Publish,
        ["GET /app/calendar"] = View,
        ["GET /app/calendar Feed"] = View,
        ["POST /app/calendar Move"] = Publish,
        ["POST /app/calendar Drop"] = Publish,
        ["GET /app/settings/preferences"] = View,
        ["POST /app/settings/preferences Mine"] = View,
        ["POST /app/settings/preferences Workspace"] = ManageSettings,
        ["GET /app/queue"] = View,
        ["POST /app/queue AddSlot"] = Publish,
        ["POST /app/queue RemoveSlot"] = Publish,
        ["POST /app/queue Zone"] = Publish,
        ["GET /app/analytics"] = View,
        ["POST /app/analytics Metrics"] = OwnersChannel,
        ["POST /app/analytics Fetch"] = OwnersChannel,
        ["GET /app/analytics/export.csv"] = View,
        ["GET /app/settings/members"] = View,
        ["POST /app/settings/members Invite"] = ManageMembers,
        ["POST /app/settings/members RevokeInvitation"] = ManageMembers,
        ["POST /app/settings/members ChangeRole"] = ManageMembers,
        ["POST /app/settings/members Remove"] = ManageMembers,
        ["POST /app/settings/members Leave"] = AnyMember,
        ["GET /app/settings/api-tokens"] = View,
        ["POST /app/settings/api-tokens Create"] = CreateTokens,
        ["POST /app/settings/api-tokens Revoke"] = OwnersToken,
        ["GET /app/notifications"] = View,
        ["POST /app/notifications Read"] = View,
        ["POST /app/notifications ReadAll"] = View,
        ["GET /app/settings/notifications"] = View,
        ["POST /app/settings/notifications"] = View,
        ["GET /app/settings/webhooks"] = ManageWebhooks,
        ["POST /app/settings/webhooks Create"] = ManageWebhooks,
        ["POST /app/settings/webhooks Toggle"] = ManageWebhooks,
        ["POST /app/settings/webhooks Delete"] = ManageWebhooks,
        ["POST /app/settings/webhooks Test"] = ManageWebhooks,
        ["GET /app/settings/webhooks/{id}"] = ManageWebhooks,
        ["POST /app/settings/webhooks/{id} Test"] = ManageWebhooks,
        ["GET /app/workspaces/new"] = AnyMember,
        ["POST /app/workspaces/new"] = AnyMember,
        ["GET /app/workspaces/switch"] = AnyMember,
        ["POST /app/workspaces/switch"] = AnyMember,
        ["GET /app/workspace/members"] = AnyMember,
        ["GET /app/invitations/{token}"] = AnyMember,
        ["POST /app/invitations/{token} Accept"] = AnyMember,
        ["POST /app/invitations/{token} Decline"] = AnyMember,
        ["POST /api/v1/auth/twitter/unofficial"] = Connect,
        ["GET /api/v1/{**path}"] = AnyMember,
    };

    [Theory]
    [InlineData("Owner")]
    [InlineData("Admin")]
    [InlineData("Editor")]
    [InlineData("Viewer")]
    public async Task EveryRoute_AsRole_AnswersAsTheRoleTableSays(string role)
    {
        app.X.Reset();
        var ownerWorkspace = await AgentWorkspace.RegisterAsync(app);
        var owner = ownerWorkspace.User;
        var channel = await ownerWorkspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        var ownerToken = await ownerWorkspace.CreateTokenAsync("read", "write", "dm");
        using (var ownerAgent = AgentWorkspace.Agent(app, ownerToken))
        using (var queued = await ownerAgent.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts",
                   new { text = "The owner's scheduled post", scheduled_at = DateTimeOffset.UtcNow.AddDays(3) }))
        {
            queued.EnsureSuccessStatusCode();
        }
        await Membership.InviteAsync(owner, $"pending-{Guid.NewGuid():N}@sosyabot.test", "Viewer");

        BrowserClient member;
        string memberToken;
        if (role == "Owner")
        {
            (member, memberToken) = (owner, await ownerWorkspace.CreateTokenAsync("read", "write", "dm"));
        }
        else
        {
            // The member makes their token as an editor; the owner then gives them the role under test, which the token follows.
            (member, var email) = await Membership.JoinAsync(app, owner, "Editor");
            memberToken = await RemotePerson.CreateTokenAsync(member, ["read", "write", "dm"]);
            var page = await owner.GetDocumentAsync("/app/settings/members");
            using var changed = await owner.SubmitAsync(page, $"li.member[data-email='{email}'] .change-role button",
                new Dictionary<string, string> { ["role"] = role });
            Assert.Contains($"is now {role.ToLowerInvariant()}", (await HtmlForms.ParseAsync(changed)).QuerySelector(".flash-success")?.TextContent);
        }
        Guid postId, ownerTokenId, invitationId;
        await using (var db = app.Database.CreateDbContext())
        {
            postId = await db.Posts.Where(p => p.WorkspaceId == channel.WorkspaceId).Select(p => p.Id).SingleAsync();
            ownerTokenId = await db.ApiTokens.Where(t => t.WorkspaceId == channel.WorkspaceId && t.CreatedByUserId == channel.ConnectedByUserId)
                .OrderBy(t => t.CreatedAt).Select(t => t.Id).FirstAsync();
            invitationId = await db.WorkspaceInvitations.Where(i => i.WorkspaceId == channel.WorkspaceId && i.AcceptedAt == null).Select(i => i.Id).SingleAsync();
        }
        var browser = member.WithoutRedirects();
        using var agent = AgentWorkspace.Agent(app, memberToken);
        var antiforgery = (await member.GetDocumentAsync("/app/channels")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        var loader = app.Services.GetRequiredService<PageLoader>();
        var requests = new List<(string Key, string Method, string Url, bool Api)>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var route = "/" + endpoint.RoutePattern.RawText?.TrimStart('/');
            if (!route.StartsWith("/app/", StringComparison.Ordinal) && !route.StartsWith("/api/v1/", StringComparison.Ordinal))
            {
                continue;
            }
            var path = Fill(endpoint.RoutePattern, channel.Id, postId);
            var key = Unconstrained(route);
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is { } page)
            {
                var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                var query = $"id={IdFor(key, channel.Id, postId, ownerTokenId, invitationId)}&userId={Guid.NewGuid()}&channelId={channel.Id}";
                foreach (var handler in compiled.HandlerMethods)
                {
                    var method = handler.HttpMethod.ToUpperInvariant();
                    requests.Add(($"{method} {key}{(handler.Name is null ? "" : " " + handler.Name)}", method,
                        $"{path}?{(handler.Name is null ? "" : $"handler={handler.Name}&")}{query}", false));
                }
                continue;
            }
            var scope = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).FirstOrDefault(p => p?.StartsWith("api:", StringComparison.Ordinal) == true);
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                requests.Add((scope is null ? $"{method} {key}" : $"{method} {key} [{scope}]", method, path, scope is not null));
            }
        }

        var failures = new List<string>();
        var covered = new List<string>();
        // Reads first, the agent API next (before the owner's token can be revoked), leaving last: after it the member is gone.
        foreach (var (key, method, url, api) in requests.Distinct()
                     .OrderBy(r => r.Method == "GET" ? 0 : r.Api ? 1 : r.Key.EndsWith(" Leave", StringComparison.Ordinal) ? 3 : 2))
        {
            var rule = RuleFor(key);
            if (rule is null)
            {
                failures.Add($"{key}: no rule in the role table (add it to Rules, and a [RequiresPermission] to the handler)");
                continue;
            }
            var client = api ? agent : browser;
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST" or "PATCH" or "PUT")
            {
                request.Content = api || url.StartsWith("/api/", StringComparison.Ordinal)
                    ? JsonContent.Create(new { text = "by role", tweet_id = "1", participant_id = "1", auth_token = new string('a', 40), ct0 = new string('b', 32) })
                    : new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery });
            }
            using var response = await client.SendAsync(request);
            var forbidden = response.StatusCode == HttpStatusCode.Forbidden && await IsRoleRefusalAsync(response, api);
            var expectForbidden = !Allowed[role].Contains(rule);
            covered.Add($"{key}: {rule} → {(int)response.StatusCode}");
            if (forbidden != expectForbidden || response.StatusCode == HttpStatusCode.Unauthorized)
            {
                failures.Add($"{key} as {role}: answered {(int)response.StatusCode}, the table says {(expectForbidden ? "403" : "allowed")} ({rule})");
            }
        }

        Report.Write(output, $"role-permissions-{role.ToLowerInvariant()}",
            $"Role {role}: {covered.Count} route×handler calls\n  " + string.Join("\n  ", covered));
        Assert.Empty(failures);
        Assert.True(covered.Count >= 50, $"only {covered.Count} routes enumerated");
    }

    private static string? RuleFor(string key)
    {
        if (Rules.TryGetValue(key, out var rule))
        {
            return rule;
        }
        // The agent API's scope decides: reading is viewing, acting on X is publishing.
        return key.EndsWith("[api:read]", StringComparison.Ordinal) ? View
            : key.EndsWith("[api:write]", StringComparison.Ordinal) || key.EndsWith("[api:dm]", StringComparison.Ordinal) ? Publish
            : null;
    }

    // A 403 from the role check, not one from X or a channel that cannot do something (which the agent API also answers 403).
    private static async Task<bool> IsRoleRefusalAsync(HttpResponseMessage response, bool api)
    {
        if (!api)
        {
            return true;
        }
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.TryGetProperty("title", out var title)
               && title.GetString() is "Not allowed for the token's creator" or "Missing scope";
    }

    private static Guid IdFor(string route, Guid channelId, Guid postId, Guid tokenId, Guid invitationId) => route switch
    {
        "/app/settings/members" => invitationId,
        "/app/settings/api-tokens" => tokenId,
        _ when route.StartsWith("/app/publishing", StringComparison.Ordinal) => postId,
        _ => channelId,
    };

    private static string Unconstrained(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{(\*\*)?(\w+)[^}]*\}", m => "{" + m.Groups[1].Value + m.Groups[2].Value + "}");

    private static string Fill(RoutePattern pattern, Guid channelId, Guid postId)
    {
        var builder = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart { Name: "channelId" } => channelId.ToString(),
                    RoutePatternParameterPart { Name: "postId" } => postId.ToString(),
                    RoutePatternParameterPart { Name: "id" } when pattern.RawText!.Contains("publishing", StringComparison.Ordinal) => postId.ToString(),
                    RoutePatternParameterPart { Name: "id" } => channelId.ToString(),
                    RoutePatternParameterPart { Name: "tweetId" } => "1850000000000000001",
                    RoutePatternParameterPart { Name: "token" } => "not-a-real-invitation",
                    RoutePatternParameterPart { IsCatchAll: true } => "no-such-endpoint",
                    RoutePatternParameterPart => Guid.NewGuid().ToString(),
                    _ => "",
                });
            }
        }
        return builder.ToString();
    }
}
