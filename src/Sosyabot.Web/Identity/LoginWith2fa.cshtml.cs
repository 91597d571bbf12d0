using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// The second sign-in step for an account with two-factor authentication: the password step (Login) left a short-lived
// cookie naming the account, and this page asks for the authenticator app's current code.
[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.LoginPolicy)]
public sealed class LoginWith2faModel(SignInManager<AppUser> signIn) : PageModel
{
    public const string StartAgain = "Your sign-in took too long. Log in again with your password.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty(SupportsGet = true)]
    public bool RememberMe { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the 6-digit code from your authenticator app."), StringLength(16), Display(Name = "Authenticator code")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            ErrorMessage = StartAgain;
            return RedirectToPage("/Identity/Login", new { ReturnUrl });
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            ErrorMessage = StartAgain;
            return RedirectToPage("/Identity/Login", new { ReturnUrl });
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var code = TwoFactorCodes.Normalize(Input.Code);
        var result = await signIn.TwoFactorAuthenticatorSignInAsync(code, RememberMe, rememberClient: false);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Content("~/"));
        }
        ModelState.AddModelError(string.Empty, result.IsLockedOut
            ? "Too many failed attempts: this account is locked for a few minutes."
            : "That code is not right. Enter the code your authenticator app shows now (check that your phone's clock is correct).");
        Input.Code = "";
        return Page();
    }
}
