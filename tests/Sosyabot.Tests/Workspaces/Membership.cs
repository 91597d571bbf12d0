using AngleSharp.Dom;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Workspaces;

// Joining a workspace the only way there is: an owner or admin invites, the invitee accepts, through the real pages.
internal static class Membership
{
    // Invites email as role from the inviter's current workspace and returns the link the page shows once.
    public static async Task<string> InviteAsync(BrowserClient inviter, string email, string role = "Editor")
    {
        var shown = await SubmitInvitationAsync(inviter, email, role);
        var link = shown.QuerySelector("#invitation-link")?.GetAttribute("value");
        Assert.True(link is not null, shown.QuerySelector(".field-error, .flash-error")?.TextContent ?? "no invitation link was shown");
        return link;
    }

    // Sends the members page's invitation form; returns the page the inviter lands on.
    public static async Task<IDocument> SubmitInvitationAsync(BrowserClient inviter, string email, string role = "Editor")
    {
        var page = await inviter.GetDocumentAsync("/app/settings/members");
        using var response = await inviter.SubmitAsync(page, "#invite", new Dictionary<string, string>
        {
            ["Invite.Email"] = email, ["Invite.Role"] = role,
        });
        return await HtmlForms.ParseAsync(response);
    }

    // The invitation link in a mail's text body.
    public static string LinkInMail(string mailBody) =>
        System.Text.RegularExpressions.Regex.Match(mailBody, @"https?://\S+/app/invitations/[A-Za-z0-9_-]+").Value is { Length: > 0 } link
            ? link
            : throw new InvalidOperationException("No invitation link in the mail: " + mailBody);

    public static string PathOf(string link) => new Uri(link).PathAndQuery;

    // Opens the link as this browser and presses Accept; returns the page it lands on.
    public static async Task<IDocument> AcceptAsync(BrowserClient invitee, string link)
    {
        var page = await invitee.GetDocumentAsync(PathOf(link));
        using var response = await invitee.SubmitAsync(page, "#accept");
        return await HtmlForms.ParseAsync(response);
    }

    public static async Task<string> CurrentWorkspaceIdAsync(BrowserClient user) =>
        (await user.GetDocumentAsync("/app/channels")).QuerySelector("#workspace-switcher option[selected]")!.GetAttribute("value")!;

    public static async Task<IDocument> SwitchToAsync(BrowserClient user, string workspaceId)
    {
        var page = await user.GetDocumentAsync("/app/channels");
        using var response = await user.SubmitAsync(page, ".switcher button", new Dictionary<string, string> { ["workspaceId"] = workspaceId });
        return await HtmlForms.ParseAsync(response);
    }

    // A new account that joins the owner's current workspace with role and works in it from now on. An app that
    // sends mail never shows the link, so it is read from the invitee's mail there.
    public static async Task<(BrowserClient Client, string Email)> JoinAsync(SosyabotAppFactory app, BrowserClient owner, string role)
    {
        var email = $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@sosyabot.test";
        var client = await app.RegisterAsync(email);
        string link;
        if (app is AppWithMail withMail)
        {
            await SubmitInvitationAsync(owner, email, role);
            link = LinkInMail((await withMail.Smtp.WaitForMessageToAsync(email)).TextBody!);
        }
        else
        {
            link = await InviteAsync(owner, email, role);
        }
        var accepted = await AcceptAsync(client, link);
        Assert.Contains("You joined", accepted.QuerySelector(".flash-success")?.TextContent ?? accepted.QuerySelector(".flash-error")?.TextContent);
        await SwitchToAsync(client, await CurrentWorkspaceIdAsync(owner));
        return (client, email);
    }
}
