using Sosyabot.Web.Hosting;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;

namespace Sosyabot.Web.Identity;

[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.LoginPolicy)]
public sealed class LoginModel(
    SignInManager<AppUser> signIn,
    UserManager<AppUser> users,
    IPasswordHasher<AppUser> hasher,
    SignInThrottle throttle,
    ILogger<LoginModel> logger) : PageModel
{
    // One message for every refusal (unknown account, wrong password, disabled, locked): which one it was is for the log.
    public const string Refused = "Email or password is incorrect.";

    // An account that does not exist still costs one password verification, so that it answers as slowly as one that does.
    private static readonly AppUser NobodyUser = new() { Id = "nobody" };
    private static readonly Lazy<string> NobodyHash = new(() =>
        new PasswordHasher<AppUser>().HashPassword(NobodyUser, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24))));

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public sealed class InputModel
    {
        [Required, EmailAddress, StringLength(256), PlainText]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), StringLength(256)]
        public string Password { get; set; } = "";

        [Display(Name = "Keep me signed in")]
        public bool RememberMe { get; set; }
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var ip = FailureCounter.ClientIp(HttpContext);
        if (throttle.WaitBeforeTrying(ip, Input.Email) is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            SignInEvents.Throttled(logger, ip, seconds);
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ModelState.AddModelError(string.Empty,
                $"Too many failed sign-ins from your network. Try again in {Math.Max(1, (seconds + 59) / 60)} minute(s).");
            return Page();
        }

        var user = await users.FindByEmailAsync(Input.Email);
        if (user is null)
        {
            hasher.VerifyHashedPassword(NobodyUser, NobodyHash.Value, Input.Password);
            SignInEvents.UnknownAccount(logger, ip);
            return Fail(ip);
        }
        if (user.DisabledAt is not null)
        {
            hasher.VerifyHashedPassword(user, user.PasswordHash ?? NobodyHash.Value, Input.Password);
            SignInEvents.DisabledAccount(logger, user.Id, ip);
            return Fail(ip);
        }

        // No lockout on failure: the throttle above slows the one who fails without locking out the account's owner.
        var result = await signIn.PasswordSignInAsync(user, Input.Password, Input.RememberMe, lockoutOnFailure: false);
        if (result.Succeeded)
        {
            SignInEvents.Succeeded(logger, user.Id, ip);
            return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Content("~/"));
        }
        if (result.RequiresTwoFactor)
        {
            return RedirectToPage("/Identity/LoginWith2fa", new { ReturnUrl, Input.RememberMe });
        }
        var reason = result.IsLockedOut ? "locked out" : result.IsNotAllowed ? "not allowed" : "wrong password";
        SignInEvents.Failed(logger, user.Id, ip, reason);
        return Fail(ip);
    }

    private PageResult Fail(string ip)
    {
        throttle.RecordFailure(ip, Input.Email);
        ModelState.AddModelError(string.Empty, Refused);
        return Page();
    }
}
