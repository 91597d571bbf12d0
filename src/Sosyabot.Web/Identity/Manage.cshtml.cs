using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// The signed-in person's own account: password, sessions, two-factor authentication.
public sealed class ManageModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AccountEvents events) : PageModel
{
    [BindProperty]
    public PasswordInput Input { get; set; } = new();

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public string Email { get; private set; } = "";

    public bool TwoFactorEnabled { get; private set; }

    public int RecoveryCodesLeft { get; private set; }

    public sealed class PasswordInput
    {
        [Required, DataType(DataType.Password), Display(Name = "Current password"), StringLength(256)]
        public string CurrentPassword { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "New password"),
         StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be at least {2} characters long.")]
        public string NewPassword { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Confirm new password"),
         Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        await LoadAsync(await CurrentUserAsync());
        return Page();
    }

    public async Task<IActionResult> OnPostChangePasswordAsync()
    {
        var user = await CurrentUserAsync();
        if (!ModelState.IsValid)
        {
            await LoadAsync(user);
            return Page();
        }

        if (await users.IsLockedOutAsync(user))
        {
            ModelState.AddModelError(string.Empty, "Too many failed attempts: try again in a few minutes.");
            await LoadAsync(user);
            return Page();
        }

        // ChangePasswordAsync gives the account a new security stamp: every other session ends at its next request.
        var result = await users.ChangePasswordAsync(user, Input.CurrentPassword, Input.NewPassword);
        if (!result.Succeeded)
        {
            // A wrong current password counts towards the lockout, so a stolen session cannot guess the password here.
            if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
            {
                await users.AccessFailedAsync(user);
            }
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Code == nameof(IdentityErrorDescriber.PasswordMismatch)
                    ? "The current password is not right."
                    : error.Description);
            }
            await LoadAsync(user);
            return Page();
        }
        await users.ResetAccessFailedCountAsync(user);
        // This browser gets a cookie with the new stamp and stays signed in.
        await signIn.RefreshSignInAsync(user);
        events.PasswordChanged(user.Id);
        StatusMessage = "Your password has been changed. Every other session of your account was signed out.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSignOutEverywhereAsync()
    {
        var user = await CurrentUserAsync();
        await users.UpdateSecurityStampAsync(user);
        await signIn.SignOutAsync();
        events.SignedOutEverywhere(user.Id);
        TempData[Flash.SuccessKey] = "You were signed out everywhere, on this device and every other. Log in again to continue.";
        return RedirectToPage("/Identity/Login");
    }

    // The fallback policy lets only signed-in people here, and the security stamp check has just found the account.
    private async Task<AppUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("A signed-in request without an account.");

    private async Task LoadAsync(AppUser user)
    {
        Email = user.Email ?? user.UserName ?? "";
        TwoFactorEnabled = await users.GetTwoFactorEnabledAsync(user);
        RecoveryCodesLeft = TwoFactorEnabled ? await users.CountRecoveryCodesAsync(user) : 0;
    }
}
