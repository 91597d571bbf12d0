using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

// Who belongs to the current workspace; its owners add existing accounts and remove members.
public sealed class MembersModel(SosyabotDbContext db, CurrentWorkspace current, UserManager<AppUser> users, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [BindProperty, Required, EmailAddress, StringLength(256), PlainText, Display(Name = "Email of an existing Sosyabot account")]
    public string? Email { get; set; }

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Members { get; private set; } = [];

    public bool IsOwner => Workspace.Workspace.Role == WorkspaceRole.Owner;

    public sealed record MemberRow(string UserId, string? Email, WorkspaceRole Role, DateTimeOffset JoinedAt);

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAddAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!IsOwner)
        {
            return Forbid();
        }
        if (ModelState.IsValid)
        {
            var user = await users.FindByEmailAsync(Email!);
            if (user is null)
            {
                ModelState.AddModelError(nameof(Email), "No account has this email. Ask them to register first, then add them here.");
            }
            else if (Members.Any(m => m.UserId == user.Id))
            {
                ModelState.AddModelError(nameof(Email), $"{user.Email} is already a member of this workspace.");
            }
            else
            {
                db.WorkspaceMembers.Add(new WorkspaceMember
                {
                    WorkspaceId = Workspace.WorkspaceId, UserId = user.Id, Role = WorkspaceRole.Member, JoinedAt = time.GetUtcNow(),
                });
                await db.SaveChangesAsync(cancellationToken);
                StatusMessage = $"{user.Email} is now a member of {Workspace.Workspace.Name}.";
                return RedirectToPage();
            }
        }
        return Page();
    }

    public async Task<IActionResult> OnPostRemoveAsync(string userId, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!IsOwner)
        {
            return Forbid();
        }
        var member = Members.FirstOrDefault(m => m.UserId == userId && m.Role == WorkspaceRole.Member);
        if (member is null)
        {
            return NotFound();
        }
        await db.WorkspaceMembers.Where(m => m.WorkspaceId == Workspace.WorkspaceId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Tokens they made would otherwise keep acting for the workspace after they left it.
        var revoked = await db.ApiTokens
            .Where(t => t.WorkspaceId == Workspace.WorkspaceId && t.CreatedByUserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(update => update.SetProperty(t => t.RevokedAt, time.GetUtcNow()), cancellationToken);
        StatusMessage = $"{member.Email} no longer has access to {Workspace.Workspace.Name}."
                        + (revoked > 0 ? $" The {revoked} API token(s) they created were revoked." : "");
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        Members = await db.WorkspaceMembers.AsNoTracking()
            .Where(m => m.WorkspaceId == Workspace.WorkspaceId)
            .OrderBy(m => m.Role).ThenBy(m => m.JoinedAt)
            .Select(m => new MemberRow(m.UserId, m.User.Email, m.Role, m.JoinedAt))
            .ToListAsync(cancellationToken);
    }
}
