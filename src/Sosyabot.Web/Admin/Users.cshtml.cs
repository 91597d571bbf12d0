using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Admin;

public sealed class UsersModel(SosyabotDbContext db, UserManager<AppUser> users, AccessRevocations revocations, TimeProvider time, ILogger<UsersModel> logger) : PageModel
{
    public IReadOnlyList<UserRow> Rows { get; private set; } = [];

    public string? CurrentUserId { get; private set; }

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public sealed record UserRow(
        string Id, string Email, DateTimeOffset? CreatedAt, bool InstanceAdmin, DateTimeOffset? DisabledAt, bool TwoFactor, int Workspaces);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        CurrentUserId = users.GetUserId(User);
        var adminRole = Roles.InstanceAdminRole.Id;
        // Accounts made before CreatedAt was recorded come first (null sorts first), then by age.
        Rows = await db.Users.AsNoTracking()
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.NormalizedEmail)
            .Select(u => new UserRow(
                u.Id,
                u.Email ?? u.UserName ?? u.Id,
                u.CreatedAt,
                db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRole),
                u.DisabledAt,
                u.TwoFactorEnabled,
                db.WorkspaceMembers.Count(m => m.UserId == u.Id)))
            .ToListAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostDisableAsync(string id, CancellationToken cancellationToken)
    {
        var adminId = users.GetUserId(User)!;
        if (id == adminId)
        {
            ErrorMessage = "You cannot disable your own account: another instance admin would have to.";
            return RedirectToPage();
        }
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }
        if (user.DisabledAt is null)
        {
            user.DisabledAt = time.GetUtcNow();
            try
            {
                await users.UpdateAsync(user);
                // A new stamp invalidates every session of the account on the next request.
                await users.UpdateSecurityStampAsync(user);
            }
            finally
            {
                // Also when the stamp failed: DisabledAt may be stored already.
                revocations.Record();
            }
            SignInEvents.Disabled(logger, user.Id, adminId);
        }
        StatusMessage = $"{user.Email} is disabled: they cannot sign in, and their open sessions have ended.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostEnableAsync(string id, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
        {
            return NotFound();
        }
        if (user.DisabledAt is not null)
        {
            user.DisabledAt = null;
            await users.UpdateAsync(user);
            SignInEvents.Enabled(logger, user.Id, users.GetUserId(User)!);
        }
        StatusMessage = $"{user.Email} is enabled again and can sign in.";
        return RedirectToPage();
    }
}
