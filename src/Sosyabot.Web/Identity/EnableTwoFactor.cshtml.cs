using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using QRCoder;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// Turns on TOTP two-factor authentication (Identity's authenticator token provider): the person adds the key to an
// app, proves it with a code, and gets recovery codes, shown this once.
public sealed class EnableTwoFactorModel(UserManager<AppUser> users, SignInManager<AppUser> signIn, AccountEvents events) : PageModel
{
    public const string Issuer = "Sosyabot";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public string SharedKey { get; private set; } = "";

    public string QrCodeDataUri { get; private set; } = "";

    public IReadOnlyList<string>? RecoveryCodes { get; private set; }

    public sealed class InputModel
    {
        [Required(ErrorMessage = "Enter the 6-digit code your app shows."), StringLength(16), Display(Name = "Code from the app")]
        public string Code { get; set; } = "";
    }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await CurrentUserAsync();
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is already on.";
            return RedirectToPage("/Identity/Manage");
        }
        await LoadKeyAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        var user = await CurrentUserAsync();
        if (await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = "Two-factor authentication is already on.";
            return RedirectToPage("/Identity/Manage");
        }
        if (!ModelState.IsValid)
        {
            await LoadKeyAsync(user);
            return Page();
        }
        var valid = await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, TwoFactorCodes.Normalize(Input.Code));
        if (!valid)
        {
            ModelState.AddModelError("Input.Code",
                "That code is not right. Enter the code the app shows now for this key (check that your phone's clock is correct).");
            Input.Code = "";
            await LoadKeyAsync(user);
            return Page();
        }

        // A new security stamp comes with it: other sessions end, this one gets a fresh cookie.
        await users.SetTwoFactorEnabledAsync(user, true);
        RecoveryCodes = [.. await users.GenerateNewTwoFactorRecoveryCodesAsync(user, TwoFactorCodes.RecoveryCodeCount) ?? []];
        await signIn.RefreshSignInAsync(user);
        events.TwoFactorEnabled(user.Id);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }

    private async Task<AppUser> CurrentUserAsync() =>
        await users.GetUserAsync(User) ?? throw new InvalidOperationException("A signed-in request without an account.");

    private async Task LoadKeyAsync(AppUser user)
    {
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            // Resetting the key changes the security stamp; the refreshed cookie keeps this session.
            await users.ResetAuthenticatorKeyAsync(user);
            await signIn.RefreshSignInAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key after a reset.");
        }
        SharedKey = string.Join(' ', key.ToLowerInvariant().Chunk(4).Select(chunk => new string(chunk)));
        var issuer = Uri.EscapeDataString(Issuer);
        var uri = string.Create(CultureInfo.InvariantCulture,
            $"otpauth://totp/{issuer}:{Uri.EscapeDataString(user.Email ?? "")}?secret={key}&issuer={issuer}&digits=6");
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        QrCodeDataUri = "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
        Response.Headers.CacheControl = "no-store";
    }
}
