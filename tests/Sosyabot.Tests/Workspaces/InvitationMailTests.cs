using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Workspaces;

// With SMTP configured the invitation goes out by mail, through a real SMTP conversation, and only there: the inviter
// never sees the link, so the link proves the address and may open an account even while registration is invite-only.
public sealed class InvitationMailTests(AppWithMail app) : IClassFixture<AppWithMail>
{
    [Fact]
    public async Task Invite_SmtpConfigured_MailsTheLinkWithoutShowingItAndTheInviteeAccepts()
    {
        var owner = await app.RegisterAsync($"sender-{Guid.NewGuid():N}@sosyabot.test");
        var inviteeEmail = $"mailed-{Guid.NewGuid():N}@sosyabot.test";
        var invitee = await app.RegisterAsync(inviteeEmail);

        var shown = await Membership.SubmitInvitationAsync(owner, inviteeEmail, "Viewer");

        Assert.Null(shown.QuerySelector("#invitation-link"));
        Assert.Contains($"emailed to them", shown.QuerySelector(".flash-success")!.TextContent, StringComparison.Ordinal);
        var mail = await app.Smtp.WaitForMessageToAsync(inviteeEmail);
        Assert.StartsWith("You are invited to sender-", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("as viewer", mail.TextBody, StringComparison.Ordinal);
        Assert.Single((await invitee.GetDocumentAsync("/app/channels")).QuerySelectorAll("#workspace-switcher option"));

        var accepted = await Membership.AcceptAsync(invitee, Membership.LinkInMail(mail.TextBody!));

        Assert.Contains("You joined sender-", accepted.QuerySelector(".flash-success")!.TextContent);
    }

    [Fact]
    public async Task Invite_InviteOnlyRegistration_TheMailedLinkOpensAnAccount()
    {
        var owner = await app.RegisterAsync($"opener-{Guid.NewGuid():N}@sosyabot.test");
        await app.SetRegistrationModeAsync("invite-only");
        try
        {
            var newcomer = $"newcomer-{Guid.NewGuid():N}@sosyabot.test";
            await Membership.SubmitInvitationAsync(owner, newcomer, "Editor");
            var link = Membership.LinkInMail((await app.Smtp.WaitForMessageToAsync(newcomer)).TextBody!);
            var token = new Uri(link).Segments[^1];
            var visitor = app.CreateBrowserClient();

            using var registered = await visitor.SubmitRegistrationAsync($"/account/register?invite={token}", newcomer);
            Assert.Equal("/app/channels", registered.RequestMessage!.RequestUri!.AbsolutePath);
            var accepted = await Membership.AcceptAsync(visitor, link);

            Assert.Contains("You joined opener-", accepted.QuerySelector(".flash-success")!.TextContent);
        }
        finally
        {
            await app.SetRegistrationModeAsync("open");
        }
    }
}
