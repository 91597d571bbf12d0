using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sosyabot.Web.Identity;

[AllowAnonymous]
public sealed class LogoutModel(UserManager<AppUser> users, SignInManager<AppUser> signIn) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Identity/Login");

    public async Task<IActionResult> OnPostAsync()
    {
        // Deleting the cookie in this browser is not enough: a copy of it would still open the account. A new security
        // stamp makes every cookie issued so far invalid, this one and those of other browsers alike.
        if (await users.GetUserAsync(User) is { } user)
        {
            await users.UpdateSecurityStampAsync(user);
        }
        await signIn.SignOutAsync();
        return RedirectToPage("/Identity/Login");
    }
}
