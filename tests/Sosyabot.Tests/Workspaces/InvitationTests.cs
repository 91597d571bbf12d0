using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Tests.Workspaces;

public sealed class InvitationTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task Invite_ExistingAccount_IsPendingAndJoinsNobodyUntilAccepted()
    {
        var owner = await app.RegisterAsync($"boss-{Guid.NewGuid():N}@sosyabot.test");
        var inviteeEmail = $"joiner-{Guid.NewGuid():N}@sosyabot.test";
        var invitee = await app.RegisterAsync(inviteeEmail);

        var link = await Membership.InviteAsync(owner, inviteeEmail, "Viewer");

        Assert.StartsWith(SosyabotAppFactory.BaseUrl + "/app/invitations/", link, StringComparison.Ordinal);
        var members = await owner.GetDocumentAsync("/app/settings/members");
        Assert.NotNull(members.QuerySelector($"li.invitation[data-email='{inviteeEmail}']"));
        Assert.Null(members.QuerySelector($"li.member[data-email='{inviteeEmail}']"));
        Assert.Null(members.QuerySelector("#invitation-link"));
        Assert.Single((await invitee.GetDocumentAsync("/app/channels")).QuerySelectorAll("#workspace-switcher option"));
        var offer = await invitee.GetDocumentAsync(Membership.PathOf(link));
        Assert.Contains("as viewer", offer.QuerySelector("#invitation-state")!.TextContent);

        var accepted = await Membership.AcceptAsync(invitee, link);

        Assert.Contains("You joined boss-", accepted.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal(2, accepted.QuerySelectorAll("#workspace-switcher option").Length);
        Assert.Contains("joiner-", accepted.QuerySelector(".page-head")!.TextContent);
        var after = await owner.GetDocumentAsync("/app/settings/members");
        Assert.Equal("viewer", after.QuerySelector($"li.member[data-email='{inviteeEmail}']")!.GetAttribute("data-role"));
        Assert.Null(after.QuerySelector($"li.invitation[data-email='{inviteeEmail}']"));
        var again = await invitee.GetDocumentAsync(Membership.PathOf(link));
        Assert.Contains("no longer valid", again.QuerySelector("#invitation-state")!.TextContent);
        Assert.Null(again.QuerySelector("#accept"));
    }

    [Fact]
    public async Task Invitation_Anonymous_OffersSignInAndRegistrationThroughTheInvite()
    {
        var owner = await app.RegisterAsync($"host-{Guid.NewGuid():N}@sosyabot.test");
        var link = await Membership.InviteAsync(owner, $"newcomer-{Guid.NewGuid():N}@sosyabot.test");
        var token = new Uri(link).Segments[^1];

        var page = await app.CreateBrowserClient().GetDocumentAsync(Membership.PathOf(link));

        Assert.Contains("Sign in or create an account to join host-", page.QuerySelector("#invitation-state")!.TextContent);
        var returnUrl = Uri.EscapeDataString($"/app/invitations/{token}");
        Assert.Equal($"/account/login?returnUrl={returnUrl}", page.QuerySelector("#sign-in")!.GetAttribute("href"));
        Assert.Equal($"/account/register?invite={token}&returnUrl={returnUrl}", page.QuerySelector("#register")!.GetAttribute("href"));
        Assert.Null(page.QuerySelector("#accept"));
    }

    [Fact]
    public async Task Invitation_AfterSevenDaysOrRevokedOrDeclined_AcceptsNobody()
    {
        var owner = await app.RegisterAsync($"host-{Guid.NewGuid():N}@sosyabot.test");
        var workspace = await Membership.CurrentWorkspaceIdAsync(owner);
        var email = $"late-{Guid.NewGuid():N}@sosyabot.test";
        var invitee = await app.RegisterAsync(email);
        // An instance admin's invitation, so that it may also open an account (a member's shown link may not).
        var expiring = await Membership.InviteAsync(await app.LogInAsAdminAsync(), email);
        var token = new Uri(expiring).Segments[^1];
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<IRegistrationInvitations>().InvitesAsync(token, email.ToUpperInvariant(), default));
            Assert.False(await scope.ServiceProvider.GetRequiredService<IRegistrationInvitations>().InvitesAsync(token, "other@sosyabot.test", default));
        }
        var offer = await invitee.GetDocumentAsync(Membership.PathOf(expiring));

        app.Clock.Advance(WorkspaceInvitation.Lifetime + TimeSpan.FromMinutes(1));
        using var late = await invitee.SubmitAsync(offer, "#accept");

        Assert.Contains("not valid any more", (await HtmlForms.ParseAsync(late)).QuerySelector(".flash-error")!.TextContent);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.False(await scope.ServiceProvider.GetRequiredService<IRegistrationInvitations>().InvitesAsync(token, email, default));
        }

        var revokedLink = await Membership.InviteAsync(owner, email);
        var revokedOffer = await invitee.GetDocumentAsync(Membership.PathOf(revokedLink));
        var members = await owner.GetDocumentAsync("/app/settings/members");
        Assert.NotNull(members.QuerySelector($"li.invitation[data-email='{email}'] form[data-confirm]"));
        using (await owner.SubmitAsync(members, $"li.invitation[data-email='{email}'] .revoke-invitation"))
        {
        }
        using var afterRevoke = await invitee.SubmitAsync(revokedOffer, "#accept");
        Assert.Contains("not valid any more", (await HtmlForms.ParseAsync(afterRevoke)).QuerySelector(".flash-error")!.TextContent);

        var declinedLink = await Membership.InviteAsync(owner, email);
        var declineOffer = await invitee.GetDocumentAsync(Membership.PathOf(declinedLink));
        using var declined = await invitee.SubmitAsync(declineOffer, "#decline");
        Assert.Contains("declined", (await HtmlForms.ParseAsync(declined)).QuerySelector(".flash-success")!.TextContent);
        using var acceptAfterDecline = await invitee.SubmitAsync(declineOffer, "#accept");
        Assert.Contains("not valid any more", (await HtmlForms.ParseAsync(acceptAfterDecline)).QuerySelector(".flash-error")!.TextContent);

        var id = Guid.Parse(workspace);
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.WorkspaceMembers.AnyAsync(m => m.WorkspaceId == id && m.User.Email == email));
    }

    [Fact]
    public async Task Invitation_UnknownToken_Answers404WithAMessage()
    {
        var user = await app.RegisterAsync($"curious-{Guid.NewGuid():N}@sosyabot.test");

        using var response = await user.GetAsync("/app/invitations/not-a-real-token");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("not valid", (await HtmlForms.ParseAsync(response)).QuerySelector("#invitation-state")!.TextContent);
    }

    [Fact]
    public async Task Invite_AdminInvitingAnOwner_IsRefused_AndRolesAreOfferedByRank()
    {
        var owner = await app.RegisterAsync($"top-{Guid.NewGuid():N}@sosyabot.test");
        var (admin, _) = await Membership.JoinAsync(app, owner, "Admin");
        var page = await admin.GetDocumentAsync("/app/settings/members");
        Assert.Equal(["Editor", "Viewer"], page.QuerySelectorAll("#Invite_Role option").Select(o => o.GetAttribute("value")!));
        Assert.Null(page.QuerySelector($"li.member[data-role='owner'] .remove-member"));

        using var response = await admin.SubmitAsync(page, "#invite", new Dictionary<string, string>
        {
            ["Invite.Email"] = $"would-be-owner-{Guid.NewGuid():N}@sosyabot.test", ["Invite.Role"] = "Owner",
        });

        Assert.Contains("cannot invite someone as owner", (await HtmlForms.ParseAsync(response)).QuerySelector("[data-valmsg-for='Invite.Email']")!.TextContent);
    }

    [Fact]
    public async Task ChangeRole_LastOwnerDemotingThemselvesOrAnAdminPromoting_IsRefused()
    {
        var owner = await app.RegisterAsync($"keeper-{Guid.NewGuid():N}@sosyabot.test");
        var (editor, editorEmail) = await Membership.JoinAsync(app, owner, "Editor");
        var page = await owner.GetDocumentAsync("/app/settings/members");

        using var promoted = await owner.SubmitAsync(page, $"li.member[data-email='{editorEmail}'] .change-role button",
            new Dictionary<string, string> { ["role"] = "Owner" });
        Assert.Contains("is now owner", (await HtmlForms.ParseAsync(promoted)).QuerySelector(".flash-success")!.TextContent);
        var asNewOwner = await editor.GetDocumentAsync("/app/settings/members");
        Assert.Equal("owner", asNewOwner.QuerySelector("#my-role")!.TextContent);
        using var left = await editor.SubmitAsync(asNewOwner, "#leave");
        Assert.Contains("You left", (await HtmlForms.ParseAsync(left)).QuerySelector(".flash-success")!.TextContent);

        var (admin, adminEmail) = await Membership.JoinAsync(app, owner, "Admin");
        var adminPage = await admin.GetDocumentAsync("/app/settings/members");
        var antiforgery = adminPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        string adminId;
        await using (var db = app.Database.CreateDbContext())
        {
            adminId = await db.Users.Where(u => u.Email == adminEmail).Select(u => u.Id).SingleAsync();
        }
        using var selfPromotion = await admin.PostAsync($"/app/settings/members?handler=ChangeRole&userId={adminId}",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery, ["role"] = "Owner" }));
        Assert.Contains("Only an owner", (await HtmlForms.ParseAsync(selfPromotion)).QuerySelector(".flash-error")!.TextContent);
        Assert.Equal("admin", (await owner.GetDocumentAsync("/app/settings/members"))
            .QuerySelector($"li.member[data-email='{adminEmail}']")!.GetAttribute("data-role"));
    }
}
