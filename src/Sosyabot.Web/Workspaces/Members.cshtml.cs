using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Mail;

namespace Sosyabot.Web.Workspaces;

// Who belongs to the current workspace. Owners and admins invite people (who join only by accepting),
// change roles and remove members; anyone may leave.
[RequiresPermission(WorkspacePermission.View)]
public sealed class MembersModel(
    SosyabotDbContext db, CurrentWorkspace current, WorkspaceInvitations invitations, WorkspaceMemberships memberships, MailQueue mail)
    : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    // The link of the invitation just made, shown on the one page view after the redirect (as new API tokens are):
    // only its hash is stored.
    [TempData(Key = "Sosyabot.NewInvitationLink")]
    public string? CreatedLink { get; set; }

    [BindProperty]
    public InviteInput Invite { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Members { get; private set; } = [];

    public IReadOnlyList<WorkspaceInvitation> Pending { get; private set; } = [];

    public sealed record MemberRow(string UserId, string? Email, WorkspaceRole Role, DateTimeOffset JoinedAt);

    public sealed class InviteInput
    {
        [Required, EmailAddress, StringLength(256), PlainText, Display(Name = "Email address")]
        public string? Email { get; set; }

        [Display(Name = "Role")]
        public WorkspaceRole Role { get; set; } = WorkspaceRole.Editor;
    }

    public bool MayManage(MemberRow member) => member.UserId != Workspace.UserId && WorkspacePermissions.MayManageRole(Workspace.Role, member.Role);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (CreatedLink is not null)
        {
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(cancellationToken);
    }

    [RequiresPermission(WorkspacePermission.ManageMembers)]
    public async Task<IActionResult> OnPostInviteAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        try
        {
            var delivery = mail.IsConfigured ? InvitationDelivery.MailOnly : InvitationDelivery.ShownToInviter;
            var created = await invitations.CreateAsync(Workspace, Invite.Email!, Invite.Role, delivery, cancellationToken);
            var replaced = created.ReplacedEarlier ? " The link sent before to this address no longer works." : "";
            var lifetime = $" Nobody joins until they accept it; the link works once, for {WorkspaceInvitation.Lifetime.Days} days.";
            if (delivery == InvitationDelivery.ShownToInviter)
            {
                CreatedLink = created.Link;
                StatusMessage = $"Invitation for {created.Invitation.Email} as {WorkspacePermissions.Describe(created.Invitation.Role)} created: " +
                                "send them the link below." + replaced + lifetime;
                return RedirectToPage();
            }
            if (!mail.TryEnqueue(new OutgoingMail(created.Invitation.Email, $"You are invited to {Workspace.Workspace.Name} on Sosyabot",
                    $"{Workspace.UserName} invites you to the workspace {Workspace.Workspace.Name} on Sosyabot as " +
                    $"{WorkspacePermissions.Describe(created.Invitation.Role)}.\n\nOpen this link to accept or decline:\n{created.Link}\n\n" +
                    $"The link works once, for {WorkspaceInvitation.Lifetime.Days} days. Nobody joins a workspace without accepting.")))
            {
                await invitations.RevokeAsync(Workspace, created.Invitation.Id, cancellationToken);
                throw new MembershipException("The mail queue is full right now, so the invitation was not sent: try again in a minute.");
            }
            // The link goes only to the mailbox: shown here, it would let the inviter open an account for an address they do not hold.
            StatusMessage = $"Invitation for {created.Invitation.Email} as {WorkspacePermissions.Describe(created.Invitation.Role)} " +
                            "emailed to them." + replaced + lifetime;
            return RedirectToPage();
        }
        catch (MembershipException ex)
        {
            ModelState.AddModelError("Invite.Email", ex.Message);
            return Page();
        }
    }

    [RequiresPermission(WorkspacePermission.ManageMembers)]
    public async Task<IActionResult> OnPostRevokeInvitationAsync(Guid id, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        try
        {
            if (await invitations.RevokeAsync(Workspace, id, cancellationToken) is not { } revoked)
            {
                return NotFound();
            }
            StatusMessage = $"The invitation for {revoked.Email} is revoked: its link no longer works.";
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
        }
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.ManageMembers)]
    public async Task<IActionResult> OnPostChangeRoleAsync(string userId, WorkspaceRole? role, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        // Not ModelState.IsValid: the invite form's fields are bound (and empty) on every POST of this page.
        if (role is not { } newRole)
        {
            ErrorMessage = "Choose one of the roles: owner, admin, editor or viewer.";
            return RedirectToPage();
        }
        try
        {
            var email = await memberships.ChangeRoleAsync(Workspace, userId, newRole, cancellationToken);
            StatusMessage = $"{email} is now {WorkspacePermissions.Describe(newRole)} of {Workspace.Workspace.Name}.";
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
        }
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.ManageMembers)]
    public async Task<IActionResult> OnPostRemoveAsync(string userId, bool keepChannels, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        try
        {
            var departure = await memberships.RemoveAsync(Workspace, userId, keepChannels, cancellationToken);
            StatusMessage = $"{departure.Email} no longer has access to {Workspace.Workspace.Name}." + Consequences(departure, "they");
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
        }
        return RedirectToPage();
    }

    // Anyone may leave; the last owner is told why not.
    [RequiresPermission(WorkspacePermission.View)]
    public async Task<IActionResult> OnPostLeaveAsync(bool keepChannels, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        try
        {
            var departure = await memberships.LeaveAsync(Workspace, keepChannels, cancellationToken);
            // The switcher's cookie names a workspace this browser may no longer use; the next request falls back to their own.
            Response.Cookies.Delete(CurrentWorkspace.CookieName);
            StatusMessage = $"You left {Workspace.Workspace.Name}." + Consequences(departure, "you");
            return RedirectToPage("/Channels/Index");
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
            return RedirectToPage();
        }
    }

    private static string Consequences(Departure departure, string who) =>
        (departure.DisconnectedHandles.Count > 0
            ? $" The X account{(departure.DisconnectedHandles.Count == 1 ? "" : "s")} {who} connected " +
              $"({string.Join(", ", departure.DisconnectedHandles.Select(h => "@" + h))}) " +
              $"{(departure.DisconnectedHandles.Count == 1 ? "was" : "were")} disconnected."
            : "")
        + (departure.RevokedTokens > 0 ? $" The {departure.RevokedTokens} API token(s) {who} created were revoked." : "");

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        Members = await db.WorkspaceMembers.AsNoTracking()
            .Where(m => m.WorkspaceId == Workspace.WorkspaceId)
            .OrderBy(m => m.JoinedAt)
            .Select(m => new MemberRow(m.UserId, m.User.Email, m.Role, m.JoinedAt))
            .ToListAsync(cancellationToken);
        Members = [.. Members.OrderBy(m => m.Role).ThenBy(m => m.JoinedAt)];
        Pending = Workspace.Can(WorkspacePermission.ManageMembers) ? await invitations.PendingAsync(Workspace.WorkspaceId, cancellationToken) : [];
    }
}
