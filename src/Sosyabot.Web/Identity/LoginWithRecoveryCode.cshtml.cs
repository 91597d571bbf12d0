using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// The second sign-in step with one of the recovery codes shown when two-factor authentication was turned on; each
// code works once.
[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.LoginPolicy)]
public sealed class LoginWithRecoveryCodeModel(SignInManager<AppUser> signIn, UserManager<AppUser> users, AccountEvents events) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [TempData(Key = Flash.WarningKey)]
    public string? WarningMessage { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter one of your recovery codes."), StringLength(32), Display(Name = "Recovery code")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            ErrorMessage = LoginWith2faModel.StartAgain;
            return RedirectToPage("/Identity/Login", new { ReturnUrl });
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            ErrorMessage = LoginWith2faModel.StartAgain;
            return RedirectToPage("/Identity/Login", new { ReturnUrl });
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(TwoFactorCodes.NormalizeRecoveryCode(Input.Code));
        if (result.Succeeded)
        {
            var left = await users.CountRecoveryCodesAsync(user);
            events.RecoveryCodeUsed(user.Id, left);
            WarningMessage = $"You signed in with a recovery code; it cannot be used again. {left} recovery code{(left == 1 ? "" : "s")} left" +
                (left <= 3 ? ": generate new ones under Account." : ".");
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Content("~/"));
        }
        ModelState.AddModelError(string.Empty, result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a few minutes."
            : "That recovery code is not valid or has already been used.");
        Input.Code = "";
        return Page();
    }
}
