using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// Where a reset link lands: /account/reset-password?email=…&code=… (PasswordResetLinks builds it). A new password
// changes the security stamp, which ends every session and spends the link.
[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.LoginPolicy)]
public sealed class ResetPasswordModel(UserManager<AppUser> users, AccountEvents events) : PageModel
{
    public const string InvalidLink = "This reset link is not valid any more: it has expired or has already been used. Ask for a new one.";

    [BindProperty(SupportsGet = true)]
    public string? Email { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Code { get; set; }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public bool LinkValid { get; private set; }

    public sealed class InputModel
    {
        [Required, DataType(DataType.Password), Display(Name = "New password"),
         StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be at least {2} characters long.")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Confirm new password"),
         Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        // The link holds a one-time secret: keep the page out of caches. (The site's Referrer-Policy already sends
        // other sites only our origin, never this URL.)
        Response.Headers.CacheControl = "no-store";
        LinkValid = await FindUserAsync() is { } user
            && await users.VerifyUserTokenAsync(user, users.Options.Tokens.PasswordResetTokenProvider, UserManager<AppUser>.ResetPasswordTokenPurpose,
                PasswordResetLinks.TokenFromCode(Code)!);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        Response.Headers.CacheControl = "no-store";
        LinkValid = true;
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = await FindUserAsync();
        var result = user is null ? null : await users.ResetPasswordAsync(user, PasswordResetLinks.TokenFromCode(Code)!, Input.Password);
        if (user is null || result is null || result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
        {
            LinkValid = false;
            return Page();
        }
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }
            return Page();
        }

        // The wrong guesses before the reset no longer count. A lockout in force is left alone: it ends by itself in minutes,
        // and an account an admin disabled must not come back through a reset link.
        await users.ResetAccessFailedCountAsync(user);
        events.ResetCompleted(user.Id);
        StatusMessage = "Your password has been reset and every session of your account was signed out. Log in with your new password.";
        return RedirectToPage("/Identity/Login");
    }

    private async Task<AppUser?> FindUserAsync() =>
        string.IsNullOrEmpty(Email) || PasswordResetLinks.TokenFromCode(Code) is null ? null : await users.FindByEmailAsync(Email);
}
