using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Security;

// Every route of the app and the API, enumerated from the endpoint data source (a new route is covered
// without touching this file), called as a user and as a token of another workspace with the ids of
// workspace A's channel, post, token, workspace and user in every parameter: nothing of A comes back,
// nothing of A changes, and resource routes answer 404/403.
public sealed class TenantIsolationTests(AppWithFakeX app, ITestOutputHelper output) : IClassFixture<AppWithFakeX>
{
    // Routes that serve no workspace data at all; they are still called and checked for leaks.
    private static readonly string[] NotWorkspaceScoped =
        [
            "/", "/healthz", "/readyz", "/error/{code}", "/account/login", "/account/register", "/account/logout", "/openapi/{documentName}.json",
            "/api/reference/{documentName}", "/api/reference/scalar.js", "/api/reference/scalar.aspnetcore.js", "/api/reference/favicon.svg",
        ];

    [Fact]
    public async Task EveryRoute_AsAnotherWorkspace_NeitherLeaksNorChangesWorkspaceA()
    {
        app.X.Reset();
        var a = await AgentWorkspace.RegisterAsync(app);
        var keys = ByokKeys.NewReadWrite();
        var channel = await a.ConnectApiKeysAsync(keys);
        var tokenA = await a.CreateTokenAsync("read", "write", "dm");
        using var agentA = AgentWorkspace.Agent(app, tokenA);
        var postText = "Workspace A's private draft " + Guid.NewGuid().ToString("N");
        using var queued = await agentA.PostAsJsonAsync($"/api/v1/channels/{channel.Id}/posts",
            new { text = postText, scheduled_at = DateTimeOffset.UtcNow.AddDays(3) });
        queued.EnsureSuccessStatusCode();
        Guid postId, tokenId, workspaceId;
        string userId, tokenName, workspaceName, emailA;
        await using (var db = app.Database.CreateDbContext())
        {
            postId = await db.Posts.Where(p => p.WorkspaceId == channel.WorkspaceId).Select(p => p.Id).SingleAsync();
            var token = await db.ApiTokens.SingleAsync(t => t.WorkspaceId == channel.WorkspaceId);
            (tokenId, tokenName) = (token.Id, token.Name);
            workspaceId = channel.WorkspaceId;
            workspaceName = await db.Workspaces.Where(w => w.Id == workspaceId).Select(w => w.Name).SingleAsync();
            userId = channel.ConnectedByUserId;
            emailA = (await db.Users.SingleAsync(u => u.Id == userId)).Email!;
        }
        var secretsOfA = new[] { keys.Username, "BYOK " + keys.Username, postText, tokenName, workspaceName, emailA, tokenA, keys.ApiSecret };
        var before = await SnapshotOfAsync(workspaceId);

        var b = await AgentWorkspace.RegisterAsync(app);
        using var agentB = AgentWorkspace.Agent(app, await b.CreateTokenAsync("read", "write", "dm"));
        var idsOfA = new Dictionary<string, string>
        {
            ["channel"] = channel.Id.ToString(), ["post"] = postId.ToString(), ["token"] = tokenId.ToString(), ["workspace"] = workspaceId.ToString(),
        };
        app.X.Reset();

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null)
            .ToList();
        var loader = app.Services.GetRequiredService<PageLoader>();
        var covered = new List<string>();
        var failures = new List<string>();
        var logout = new List<Func<Task>>();

        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern;
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var page = endpoint.Metadata.GetMetadata<PageActionDescriptor>();
            var requests = new List<(string Method, string Url, string? Handler)>();
            foreach (var (label, id) in idsOfA.Append(new("user", userId)))
            {
                var path = Fill(pattern, id);
                if (page is not null)
                {
                    var compiled = await loader.LoadAsync(page, endpoint.Metadata);
                    requests.Add(("GET", $"{path}?id={id}", null));
                    requests.AddRange(compiled.HandlerMethods.Where(h => string.Equals(h.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
                        .Select(h => ("POST", $"{path}?handler={h.Name}&id={id}&userId={id}&channelId={id}", h.Name)));
                }
                else
                {
                    requests.AddRange(methods.Select(m => (m, path, (string?)null)));
                }
            }
            var route = "/" + pattern.RawText!.TrimStart('/');
            var resourceRoute = pattern.Parameters.Any(p => p.Name is "id" or "channelId" or "postId");
            foreach (var (method, url, handler) in requests.Distinct())
            {
                // Both end B's sessions, so they go last.
                if (route == "/account/logout" || handler == "SignOutEverywhere")
                {
                    logout.Add(() => CheckAsync(b.User, method, url, resourceRoute: false));
                    continue;
                }
                await CheckAsync(
                    route.StartsWith("/api/v1", StringComparison.Ordinal) && route != "/api/v1/auth/twitter/unofficial" ? agentB : b.User,
                    method, url, resourceRoute);
                if (route.StartsWith("/api/v1", StringComparison.Ordinal))
                {
                    await CheckAsync(route == "/api/v1/auth/twitter/unofficial" ? agentB : b.User, method, url, resourceRoute: false);
                }
            }
            var shapes = requests.Select(r => r.Handler is null ? r.Method : $"{r.Method} ?handler={r.Handler}").Distinct();
            covered.Add($"{route} [{string.Join(", ", shapes)}]{(NotWorkspaceScoped.Contains(Unconstrained(route)) ? " (no workspace data)" : "")}");
        }
        foreach (var last in logout)
        {
            await last();
        }

        Report.Write(output, "tenant-isolation",
            $"Tenant isolation: {covered.Count} routes covered, as a user and a token of another workspace:\n  " + string.Join("\n  ", covered));
        Assert.Empty(failures);
        Assert.True(covered.Count >= 30, $"only {covered.Count} routes enumerated");
        Assert.Equal(before, await SnapshotOfAsync(workspaceId));
        Assert.DoesNotContain(app.X.LogEntries,
            e => e.RequestMessage.Headers?.TryGetValue("Authorization", out var v) == true && v.Any(h => h.Contains(keys.AccessToken!)));

        async Task CheckAsync(HttpClient client, string method, string url, bool resourceRoute)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST" or "PUT" or "PATCH")
            {
                request.Content = await BodyForAsync(client, url);
            }
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            foreach (var secret in secretsOfA.Where(s => body.Contains(s, StringComparison.Ordinal)))
            {
                failures.Add($"{method} {url} answered {(int)response.StatusCode} with workspace A's '{secret}'");
            }
            var status = (int)response.StatusCode;
            if (resourceRoute && status is >= 200 and < 300)
            {
                failures.Add($"{method} {url} answered {status} to another workspace");
            }
        }
    }

    private static string Unconstrained(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{(\*\*)?(\w+)[^}]*\}", m => "{" + m.Groups[1].Value + m.Groups[2].Value + "}");

    private static async Task<HttpContent> BodyForAsync(HttpClient client, string url)
    {
        if (url.StartsWith("/api/", StringComparison.Ordinal))
        {
            return JsonContent.Create(new
            {
                tweet_id = "1", text = "from another workspace", participant_id = "1", auth_token = new string('a', 40), ct0 = new string('b', 32),
            });
        }
        // A page form: the caller's own antiforgery token, as a forged cross-workspace request would carry.
        var page = await client.GetDocumentAsync("/app/channels");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        return new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Compose.Parts[0]"] = "x", ["workspaceId"] = url.Split("id=")[^1].Split('&')[0],
        });
    }

    private static string Fill(RoutePattern pattern, string id)
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
                    RoutePatternParameterPart { Name: "code" } => "404",
                    RoutePatternParameterPart { Name: "tweetId" } => "1850000000000000001",
                    RoutePatternParameterPart { Name: "documentName" } => "v1",
                    RoutePatternParameterPart { IsCatchAll: true } => "",
                    RoutePatternParameterPart => id,
                    _ => "",
                });
            }
        }
        return builder.Length == 0 ? "/" : builder.ToString();
    }

    private async Task<string> SnapshotOfAsync(Guid workspaceId)
    {
        await using var db = app.Database.CreateDbContext();
        var channels = await db.Channels.Where(c => c.WorkspaceId == workspaceId).OrderBy(c => c.Id)
            .Select(c => $"{c.Id}:{c.State}:{c.Handle}:{c.ApiKeysProtected}").ToListAsync();
        var posts = await db.Posts.Where(p => p.WorkspaceId == workspaceId).OrderBy(p => p.Id).Select(p => $"{p.Id}:{string.Join("|", p.Parts)}").ToListAsync();
        var deliveries = await db.Deliveries.Where(d => d.WorkspaceId == workspaceId).OrderBy(d => d.Id).Select(d => $"{d.Id}:{d.State}").ToListAsync();
        var tokens = await db.ApiTokens.Where(t => t.WorkspaceId == workspaceId).OrderBy(t => t.Id).Select(t => $"{t.Id}:{t.RevokedAt}").ToListAsync();
        var members = await db.WorkspaceMembers.Where(m => m.WorkspaceId == workspaceId).OrderBy(m => m.UserId)
            .Select(m => $"{m.UserId}:{m.Role}").ToListAsync();
        return string.Join("\n", channels.Concat(posts).Concat(deliveries).Concat(tokens).Concat(members));
    }
}
