using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// A new set of recovery codes; the old ones stop working.
public sealed class RecoveryCodesModel(UserManager<AppUser> users, AccountEvents events) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public IReadOnlyList<string>? Codes { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await CurrentUserAsync();
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is off: there are no recovery codes to renew.";
            return RedirectToPage("/Identity/Manage");
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await CurrentUserAsync();
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is off: there are no recovery codes to renew.";
            return RedirectToPage("/Identity/Manage");
        }
        Codes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, TwoFactorCodes.RecoveryCodeCount) ?? []];
        events.RecoveryCodesRenewed(user.Id);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    private async Task<AppUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("A signed-in request without an account.");
}
