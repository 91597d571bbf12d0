using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

// Where an invitation link leads. Anyone holding the link sees which workspace it is for; only the account
// with the invited email can accept or decline it, by a POST of its own.
[AllowAnonymous]
[NotWorkspaceScoped]
public sealed class InvitationModel(WorkspaceInvitations invitations, UserManager<AppUser> users, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public InvitationView? Found { get; private set; }

    public string? SignedInEmail { get; private set; }

    public bool IsValid { get; private set; }

    public bool ForThisAccount { get; private set; }

    public string Token { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken cancellationToken)
    {
        // The token is a credential: keep the page out of caches.
        Response.Headers.CacheControl = "no-store";
        Token = token;
        Found = await invitations.FindAsync(token, cancellationToken);
        if (Found is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        IsValid = Found.Invitation.IsPendingAt(time.GetUtcNow());
        if (User.Identity?.IsAuthenticated == true && await users.GetUserAsync(User) is { } user)
        {
            SignedInEmail = user.Email;
            ForThisAccount = user.NormalizedEmail == WorkspaceInvitation.Normalize(Found.Invitation.Email);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAcceptAsync(string token, CancellationToken cancellationToken)
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            return Challenge();
        }
        var user = await users.GetUserAsync(User);
        try
        {
            var invitation = await invitations.AcceptAsync(token, User.FindFirstValue(ClaimTypes.NameIdentifier)!, user?.NormalizedEmail, cancellationToken);
            var found = await invitations.FindAsync(token, cancellationToken);
            StatusMessage = $"You joined {found?.WorkspaceName} as {WorkspacePermissions.Describe(invitation.Role)}. " +
                            "You are still working in your own workspace: pick the new one in the workspace menu to work there.";
            return RedirectToPage("/Channels/Index");
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
            return RedirectToPage(new { token });
        }
    }

    public async Task<IActionResult> OnPostDeclineAsync(string token, CancellationToken cancellationToken)
    {
        if (User.Identity?.IsAuthenticated != true)
        {
            return Challenge();
        }
        var user = await users.GetUserAsync(User);
        try
        {
            await invitations.DeclineAsync(token, user?.NormalizedEmail, cancellationToken);
            StatusMessage = "You declined the invitation. Nothing changed for you.";
            return RedirectToPage("/Channels/Index");
        }
        catch (MembershipException ex)
        {
            ErrorMessage = ex.Message;
            return RedirectToPage(new { token });
        }
    }
}
