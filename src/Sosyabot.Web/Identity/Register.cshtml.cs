using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

[AllowAnonymous]
public sealed class RegisterModel(
    UserManager<AppUser> users, SignInManager<AppUser> signIn, InstanceAdmins admins, IEnumerable<INewAccountListener> listeners) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [TempData(Key = Hosting.Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public sealed class InputModel
    {
        [Required, EmailAddress, StringLength(256), PlainText]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be at least {2} characters long.")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Confirm password"), Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var user = new AppUser { UserName = Input.Email, Email = Input.Email };
        var result = await users.CreateAsync(user, Input.Password);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(string.Empty, error.Description);
            }
            return Page();
        }

        foreach (var listener in listeners)
        {
            await listener.AccountCreatedAsync(user, cancellationToken);
        }
        var becameAdmin = await admins.PromoteIfNoneAsync(user, cancellationToken);
        await signIn.SignInAsync(user, isPersistent: false);
        StatusMessage = becameAdmin
            ? "Welcome! As the first account on this instance you are its admin: set up X under Admin → X (Twitter)."
            : "Welcome to Sosyabot!";
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Content("~/"));
    }
}
