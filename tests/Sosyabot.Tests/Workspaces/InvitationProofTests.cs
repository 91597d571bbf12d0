using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Tests.Workspaces;

// Without a mail server, an invitation link is shown to whoever made it, so it proves nothing about the address it names.
// While registration is invite-only such a link must not let a member open accounts for addresses they do not hold;
// and two owners acting at the same moment must not leave a workspace without one.
public sealed class InvitationProofTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        _owner = await app.RegisterAsync($"owner-{Guid.NewGuid():N}@sosyabot.test");
        _existingEmail = $"existing-{Guid.NewGuid():N}@sosyabot.test";
        _existing = await app.RegisterAsync(_existingEmail);
    }

    public Task DisposeAsync() => app.SetRegistrationModeAsync("open");

    private BrowserClient _owner = null!;
    private BrowserClient _existing = null!;
    private string _existingEmail = null!;

    [Fact]
    public async Task Invite_InviteOnlyWithoutMail_AMemberCannotInviteAnAddressWithNoAccount()
    {
        await app.SetRegistrationModeAsync("invite-only");
        var squatted = $"ceo-{Guid.NewGuid():N}@victim.example";

        var shown = await Membership.SubmitInvitationAsync(_owner, squatted);

        Assert.Null(shown.QuerySelector("#invitation-link"));
        Assert.Contains("a link you pass on by hand cannot prove that the address is theirs",
            shown.QuerySelector("[data-valmsg-for='Invite.Email']")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(0, await InvitationsForAsync(squatted));
    }

    [Fact]
    public async Task Invite_InviteOnlyWithoutMail_AnExistingAccountIsStillInvitedAndJoins()
    {
        await app.SetRegistrationModeAsync("invite-only");

        var link = await Membership.InviteAsync(_owner, _existingEmail, "Viewer");
        var accepted = await Membership.AcceptAsync(_existing, link);

        Assert.Contains("You joined owner-", accepted.QuerySelector(".flash-success")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_InviteOnly_AShownLinkFromAMemberOpensNoAccount_AnAdminsLinkDoes()
    {
        // Made while registration was open (allowed then), used after it became invite-only.
        var squatted = $"cfo-{Guid.NewGuid():N}@victim.example";
        var memberLink = await Membership.InviteAsync(_owner, squatted);
        var admin = await app.LogInAsAdminAsync();
        var invited = $"welcome-{Guid.NewGuid():N}@sosyabot.test";
        var adminLink = await Membership.InviteAsync(admin, invited);
        await app.SetRegistrationModeAsync("invite-only");

        using var refused = await app.CreateBrowserClient()
            .SubmitRegistrationAsync($"/account/register?invite={new Uri(memberLink).Segments[^1]}", squatted);
        using var admitted = await app.CreateBrowserClient()
            .SubmitRegistrationAsync($"/account/register?invite={new Uri(adminLink).Segments[^1]}", invited);

        Assert.Contains(RegisterModel.NotInvitedMessage, (await HtmlForms.ParseAsync(refused)).QuerySelector(".flash-error")!.TextContent);
        Assert.Equal("/app/channels", admitted.RequestMessage!.RequestUri!.AbsolutePath);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var normalized = squatted.ToUpperInvariant();
        Assert.False(await db.Users.AnyAsync(u => u.NormalizedEmail == normalized));
    }

    [Fact]
    public async Task Remove_TwoOwnersRemovingEachOtherAtOnce_OneOwnerRemains()
    {
        for (var round = 0; round < 5; round++)
        {
            var first = await app.RegisterAsync($"first-{Guid.NewGuid():N}@sosyabot.test");
            var (second, _) = await Membership.JoinAsync(app, first, "Owner");
            var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(first));
            var firstPage = await first.GetDocumentAsync("/app/settings/members");
            var secondPage = await second.GetDocumentAsync("/app/settings/members");

            var answers = await Task.WhenAll(
                first.SubmitAsync(firstPage, ".remove-member button"), second.SubmitAsync(secondPage, ".remove-member button"));
            Array.ForEach(answers, a => a.Dispose());

            Assert.Equal(1, await OwnersAsync(workspaceId));
        }
    }

    [Fact]
    public async Task Leave_TwoOwnersLeavingAtOnce_OneOwnerRemains()
    {
        for (var round = 0; round < 5; round++)
        {
            var first = await app.RegisterAsync($"first-{Guid.NewGuid():N}@sosyabot.test");
            var (second, _) = await Membership.JoinAsync(app, first, "Owner");
            var workspaceId = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(first));
            var firstPage = await first.GetDocumentAsync("/app/settings/members");
            var secondPage = await second.GetDocumentAsync("/app/settings/members");

            var answers = await Task.WhenAll(first.SubmitAsync(firstPage, "#leave"), second.SubmitAsync(secondPage, "#leave"));
            Array.ForEach(answers, a => a.Dispose());

            Assert.Equal(1, await OwnersAsync(workspaceId));
        }
    }

    private async Task<int> InvitationsForAsync(string email)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var normalized = email.ToUpperInvariant();
        return await db.WorkspaceInvitations.CountAsync(i => i.NormalizedEmail == normalized);
    }

    private async Task<int> OwnersAsync(Guid workspaceId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        return await db.WorkspaceMembers.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Owner);
    }
}
