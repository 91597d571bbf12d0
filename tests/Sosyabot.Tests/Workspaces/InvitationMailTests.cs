using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Workspaces;

// With SMTP configured the invitation also goes out by mail, through a real SMTP conversation; the link in it is the
// one the page shows, and it still needs the invitee to accept.
public sealed class InvitationMailTests(AppWithMail app) : IClassFixture<AppWithMail>
{
    [Fact]
    public async Task Invite_SmtpConfigured_MailsTheLinkThatTheInviteeAccepts()
    {
        var owner = await app.RegisterAsync($"sender-{Guid.NewGuid():N}@sosyabot.test");
        var inviteeEmail = $"mailed-{Guid.NewGuid():N}@sosyabot.test";
        var invitee = await app.RegisterAsync(inviteeEmail);

        var shownLink = await Membership.InviteAsync(owner, inviteeEmail, "Viewer");

        var mail = await app.Smtp.WaitForMessageToAsync(inviteeEmail);
        Assert.StartsWith("You are invited to sender-", mail.Subject, StringComparison.Ordinal);
        Assert.Contains(shownLink, mail.TextBody, StringComparison.Ordinal);
        Assert.Contains("as viewer", mail.TextBody, StringComparison.Ordinal);
        Assert.Single((await invitee.GetDocumentAsync("/app/channels")).QuerySelectorAll("#workspace-switcher option"));

        var accepted = await Membership.AcceptAsync(invitee, shownLink);

        Assert.Contains("You joined sender-", accepted.QuerySelector(".flash-success")!.TextContent);
    }
}
