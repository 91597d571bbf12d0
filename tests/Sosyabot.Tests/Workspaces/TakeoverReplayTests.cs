using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Tests.Workspaces;

// Issue 16's account takeover, step by step: an owner "adds" a victim by email, the victim's next Connect → X lands
// in the attacker's workspace, and the attacker's API token publishes as the victim. Every step must fail for the attacker.
public sealed class TakeoverReplayTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task Takeover_OwnerAddsVictimByEmail_FailsAtEveryStep()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app);
        app.GivenTokenEndpointIssues("victim-access-token");
        app.GivenUsersMe("7001", "victims_account", "Victim");
        app.X.Given(WireMock.RequestBuilders.Request.Create().WithPath("/2/oauth2/revoke").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBodyAsJson(new { revoked = true }));
        var attackerEmail = $"attacker-{Guid.NewGuid():N}@sosyabot.test";
        var attacker = await app.RegisterAsync(attackerEmail);
        var attackersWorkspace = await Membership.CurrentWorkspaceIdAsync(attacker);
        using var attackerAgent = AgentWorkspace.Agent(app, await RemotePerson.CreateTokenAsync(attacker, ["read", "write", "dm"]));
        var victimEmail = $"victim-{Guid.NewGuid():N}@sosyabot.test";
        var victim = await app.RegisterAsync(victimEmail);
        var victimsWorkspace = await Membership.CurrentWorkspaceIdAsync(victim);

        // 1. The old "add member by email" form is gone; posting it anyway makes nobody a member.
        var members = await attacker.GetDocumentAsync("/app/settings/members");
        Assert.Null(members.QuerySelector("#add-member"));
        var antiforgery = members.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using (await attacker.PostAsync("/app/settings/members?handler=Add", new FormUrlEncodedContent(new Dictionary<string, string>
               {
                   ["__RequestVerificationToken"] = antiforgery, ["Email"] = victimEmail,
               })))
        {
        }
        // 2. An invitation alone makes nobody a member either, and the attacker cannot accept it for the victim.
        var link = await Membership.InviteAsync(attacker, victimEmail, "Editor");
        var asAttacker = await attacker.GetDocumentAsync(Membership.PathOf(link));
        Assert.Null(asAttacker.QuerySelector("#accept"));
        Assert.Contains("for another email address", asAttacker.QuerySelector("#invitation-state")!.TextContent);
        var token = new Uri(link).Segments[^1];
        using (var forced = await attacker.PostAsync($"/app/invitations/{token}?handler=Accept", new FormUrlEncodedContent(
                   new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery })))
        {
            Assert.Contains("another email address", (await HtmlForms.ParseAsync(forced)).QuerySelector(".flash-error")!.TextContent);
        }
        Assert.False(await IsMemberAsync(victimEmail, attackersWorkspace));
        Assert.Single((await victim.GetDocumentAsync("/app/channels")).QuerySelectorAll("#workspace-switcher option"));

        // 3. The victim accepts. Their own workspace stays the default, in this browser and in a fresh one.
        var accepted = await Membership.AcceptAsync(victim, link);
        Assert.Contains("You joined", accepted.QuerySelector(".flash-success")!.TextContent);
        Assert.True(await IsMemberAsync(victimEmail, attackersWorkspace));
        var fresh = await app.LogInAsync(victimEmail, "a-long-enough-password");
        var channelsPage = await fresh.GetDocumentAsync("/app/channels");
        Assert.Equal(victimsWorkspace, channelsPage.QuerySelector("#workspace-switcher option[selected]")!.GetAttribute("value"));
        Assert.Contains("victim-", channelsPage.QuerySelector("#connect-target")!.TextContent);

        // 4. Connect → X lands where the page said: the victim's own workspace, which the attacker's token cannot reach.
        await XConnectFlow.ConnectAsync(fresh);
        Assert.Equal(Guid.Parse(victimsWorkspace), (await ChannelAsync("victims_account", victimsWorkspace)).WorkspaceId);
        Assert.Null(await ChannelOrNullAsync("victims_account", attackersWorkspace));
        using (var listed = await attackerAgent.GetAsync("/api/v1/channels"))
        {
            Assert.DoesNotContain("victims_account", await listed.Content.ReadAsStringAsync());
        }

        // 5. Only by choosing the attacker's workspace does Connect go there, and the page names it first.
        var switched = await Membership.SwitchToAsync(fresh, attackersWorkspace);
        Assert.Contains("attacker-", switched.QuerySelector("#connect-target")!.TextContent);
        await XConnectFlow.ConnectAsync(fresh);
        var inAttackers = await ChannelAsync("victims_account", attackersWorkspace);

        // 6. The victim leaves: the account they connected there is disconnected (revoked at X) and the attacker's token
        //    can no longer publish as them.
        var membersPage = await fresh.GetDocumentAsync("/app/settings/members");
        using var left = await fresh.SubmitAsync(membersPage, "#leave");
        var afterLeave = await HtmlForms.ParseAsync(left);
        Assert.Contains("You left", afterLeave.QuerySelector(".flash-success")!.TextContent);
        Assert.Contains("@victims_account", afterLeave.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal(victimsWorkspace, afterLeave.QuerySelector("#workspace-switcher option[selected]")!.GetAttribute("value"));
        Assert.False(await IsMemberAsync(victimEmail, attackersWorkspace));
        var disconnected = await ChannelAsync("victims_account", attackersWorkspace);
        Assert.Equal(ChannelStates.Disconnected, disconnected.State);
        Assert.Null(disconnected.AccessTokenProtected);
        Assert.Contains(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/revoke");
        using (var publish = await attackerAgent.PostAsJsonAsync($"/api/v1/channels/{inAttackers.Id}/posts", new { text = "as the victim" }))
        {
            Assert.False(publish.IsSuccessStatusCode, $"the attacker's token published: {(int)publish.StatusCode}");
        }
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/tweets");
        // The victim's own channel is untouched.
        Assert.Equal(ChannelStates.Active, (await ChannelAsync("victims_account", victimsWorkspace)).State);
    }

    [Fact]
    public async Task RemoveMember_WhoConnectedAChannel_DisconnectsItUnlessKept()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app);
        var owner = await app.RegisterAsync($"owner-{Guid.NewGuid():N}@sosyabot.test");
        var workspace = await Membership.CurrentWorkspaceIdAsync(owner);
        var (first, firstEmail) = await Membership.JoinAsync(app, owner, "Editor");
        var (second, secondEmail) = await Membership.JoinAsync(app, owner, "Editor");
        GivenX("7101", "first_members");
        await XConnectFlow.ConnectAsync(first);
        GivenX("7102", "second_members");
        await XConnectFlow.ConnectAsync(second);
        using var firstAgent = AgentWorkspace.Agent(app, await RemotePerson.CreateTokenAsync(first, ["read", "write"]));

        var page = await owner.GetDocumentAsync("/app/settings/members");
        using var removed = await owner.SubmitAsync(page, $"li.member[data-email='{firstEmail}'] .remove-member button");
        var kept = await owner.GetDocumentAsync("/app/settings/members");
        using var removedKeeping = await owner.SubmitAsync(kept, $"li.member[data-email='{secondEmail}'] .remove-member button",
            new Dictionary<string, string> { ["keepChannels"] = "true" });

        var message = (await HtmlForms.ParseAsync(removed)).QuerySelector(".flash-success")!.TextContent;
        Assert.Contains("@first_members", message);
        Assert.Contains("API token(s) they created were revoked", message);
        Assert.Equal(ChannelStates.Disconnected, (await ChannelAsync("first_members", workspace)).State);
        Assert.Equal(ChannelStates.Active, (await ChannelAsync("second_members", workspace)).State);
        Assert.DoesNotContain("second_members", (await HtmlForms.ParseAsync(removedKeeping)).QuerySelector(".flash-success")!.TextContent);
        using var after = await firstAgent.GetAsync("/api/v1/channels");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.False(await IsMemberAsync(firstEmail, workspace));
    }

    [Fact]
    public async Task Leave_LastOwner_IsRefusedWithAReason()
    {
        var owner = await app.RegisterAsync($"sole-{Guid.NewGuid():N}@sosyabot.test");
        var page = await owner.GetDocumentAsync("/app/settings/members");
        Assert.Contains("Leave", page.QuerySelector("#leave-form")!.GetAttribute("data-confirm"));

        using var response = await owner.SubmitAsync(page, "#leave");

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("last owner", shown.QuerySelector(".flash-error")!.TextContent);
        Assert.Single(shown.QuerySelectorAll("li.member"));
    }

    private void GivenX(string id, string handle)
    {
        app.X.Reset();
        app.GivenTokenEndpointIssues(handle + "-access-token");
        app.GivenUsersMe(id, handle);
        app.X.Given(WireMock.RequestBuilders.Request.Create().WithPath("/2/oauth2/revoke").UsingPost())
            .RespondWith(WireMock.ResponseBuilders.Response.Create().WithStatusCode(200).WithBodyAsJson(new { revoked = true }));
    }

    private async Task<bool> IsMemberAsync(string email, string workspaceId)
    {
        var id = Guid.Parse(workspaceId);
        await using var db = app.Database.CreateDbContext();
        return await db.WorkspaceMembers.AnyAsync(m => m.WorkspaceId == id && m.User.Email == email);
    }

    private async Task<Channel> ChannelAsync(string handle, string workspaceId) =>
        await ChannelOrNullAsync(handle, workspaceId) ?? throw new InvalidOperationException($"@{handle} is not in workspace {workspaceId}");

    private async Task<Channel?> ChannelOrNullAsync(string handle, string workspaceId)
    {
        var id = Guid.Parse(workspaceId);
        await using var db = app.Database.CreateDbContext();
        return await db.Channels.AsNoTracking().SingleOrDefaultAsync(c => c.Handle == handle && c.WorkspaceId == id);
    }
}
