using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// Turning two-factor authentication off asks for proof beyond the session cookie: the password or a current code. A
// wrong answer counts towards the account's lockout, so a stolen session cannot guess the password here.
public sealed class DisableTwoFactorModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AccountEvents events) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter your password or a code from your authenticator app."), StringLength(256),
         DataType(DataType.Password), Display(Name = "Password or authenticator code")]
        public string Proof { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await CurrentUserAsync();
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is already off.";
            return RedirectToPage("/Identity/Manage");
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await CurrentUserAsync();
        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is already off.";
            return RedirectToPage("/Identity/Manage");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(string.Empty, "Too many failed attempts: try again in a few minutes.");
            return Page();
        }

        // Passwords are at least 10 characters, so a 6-digit answer can only be a code.
        var proof = TwoFactorCodes.Normalize(Input.Proof);
        var proven = proof.Length == 6 && proof.All(char.IsAsciiDigit)
            ? await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, proof)
            : await users.CheckPasswordAsync(user, Input.Proof);
        if (!proven)
        {
            await users.AccessFailedAsync(user);
            ModelState.AddModelError(string.Empty, "That is neither your password nor the current code from your authenticator app.");
            return Page();
        }

        await users.ResetAccessFailedCountAsync(user);
        await users.SetTwoFactorEnabledAsync(user, false);
        // A new key, so the app entry (and anyone who copied the old key) cannot be used if 2FA is turned on again.
        await users.ResetAuthenticatorKeyAsync(user);
        await signIn.RefreshSignInAsync(user);
        events.TwoFactorDisabled(user.Id);
        StatusMessage = "Two-factor authentication is off. You can remove Sosyabot from your authenticator app. Other sessions were signed out.";
        return RedirectToPage("/Identity/Manage");
    }

    private async Task<AppUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("A signed-in request without an account.");
}
