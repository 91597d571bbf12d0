using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.RegisterPolicy)]
public sealed class RegisterModel(
    UserManager<AppUser> users,
    SignInManager<AppUser> signIn,
    InstanceAdmins admins,
    RegistrationSettings registration,
    IEnumerable<IRegistrationInvitations> invitations,
    IEnumerable<INewAccountListener> listeners,
    TimeProvider time,
    ILogger<RegisterModel> logger) : PageModel
{
    // Said for an email that already has an account. Registration cannot hide that entirely (the account is not
    // created and nobody is signed in), so the message does not spell it out either, and points the owner on.
    public const string EmailUnavailable =
        "This email cannot be used to register. If you already have an account, log in; if you forgot its password, ask the instance admin.";

    public const string ClosedMessage = "Registration is closed on this instance. Ask its admin for an account.";

    public const string InviteOnlyMessage =
        "Registration on this instance is by invitation only. Open the invitation link you received, or ask a workspace owner for one.";

    public const string NotInvitedMessage =
        "This invitation does not let this email register: it may have expired or been sent to another address. Ask for a new invitation.";

    public const string SetupInvalidMessage =
        "This setup link is no longer valid: it was used already, or this instance has an admin. Ask the instance admin for an account.";

    [BindProperty]
    public InputModel Input { get; set; } = new();

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    // The one-time setup token from the log of an unclaimed instance.
    [BindProperty(SupportsGet = true)]
    public string? Setup { get; set; }

    // An invitation token (members' /app/invitations/{token} sends people here with it).
    [BindProperty(SupportsGet = true)]
    public string? Invite { get; set; }

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public RegistrationMode Mode { get; private set; }

    public bool SetupValid { get; private set; }

    // Whether the form is shown: a valid setup link always; otherwise as the registration mode says.
    public bool FormOpen => SetupValid || Mode == RegistrationMode.Open || (Mode == RegistrationMode.InviteOnly && !string.IsNullOrEmpty(Invite));

    public sealed class InputModel
    {
        [Required, EmailAddress, StringLength(256), PlainText]
        public string Email { get; set; } = "";

        [Required, DataType(DataType.Password), StringLength(256, MinimumLength = 10, ErrorMessage = "The password must be at least {2} characters long.")]
        public string Password { get; set; } = "";

        [Required, DataType(DataType.Password), Display(Name = "Confirm password"), Compare(nameof(Password), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!string.IsNullOrEmpty(Setup) && !SetupValid)
        {
            ModelState.AddModelError(string.Empty, SetupInvalidMessage);
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var ip = FailureCounter.ClientIp(HttpContext);
        var user = new AppUser { UserName = Input.Email, Email = Input.Email, CreatedAt = time.GetUtcNow() };
        var claimed = false;
        if (!string.IsNullOrEmpty(Setup))
        {
            var claim = await admins.ClaimWithSetupTokenAsync(user, Input.Password, Setup, cancellationToken);
            if (!claim.TokenAccepted)
            {
                SignInEvents.SetupRefused(logger, ip);
                SetupValid = false;
                return Refuse(SetupInvalidMessage);
            }
            if (!claim.Result!.Succeeded)
            {
                return Refuse(claim.Result);
            }
            claimed = true;
            SignInEvents.SetupClaimed(logger, user.Id, ip);
        }
        else
        {
            if (Mode == RegistrationMode.Closed)
            {
                SignInEvents.RegistrationRefused(logger, ip, "registration is closed");
                return Refuse(ClosedMessage);
            }
            if (Mode == RegistrationMode.InviteOnly && !await InvitedAsync(cancellationToken))
            {
                SignInEvents.RegistrationRefused(logger, ip, string.IsNullOrEmpty(Invite) ? "no invitation" : "invitation not valid for this email");
                return Refuse(string.IsNullOrEmpty(Invite) ? InviteOnlyMessage : NotInvitedMessage);
            }
            var result = await users.CreateAsync(user, Input.Password);
            if (!result.Succeeded)
            {
                return Refuse(result);
            }
        }

        foreach (var listener in listeners)
        {
            await listener.AccountCreatedAsync(user, cancellationToken);
        }
        await signIn.SignInAsync(user, isPersistent: false);
        StatusMessage = claimed
            ? "Welcome! You claimed this instance and are its admin: set up X under Admin → X (Twitter), " +
              "and choose who may register under Admin → Users and registration."
            : "Welcome to Sosyabot!";
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : Url.Content("~/"));
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Mode = await registration.ModeAsync(cancellationToken);
        SetupValid = await admins.SetupTokenValidAsync(Setup, cancellationToken);
    }

    // Invite-only: some feature (Workspaces) must vouch for the invitation and this email; with none registered,
    // nobody gets in.
    private async Task<bool> InvitedAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(Invite))
        {
            return false;
        }
        foreach (var source in invitations)
        {
            if (await source.InvitesAsync(Invite, Input.Email, cancellationToken))
            {
                return true;
            }
        }
        return false;
    }

    private PageResult Refuse(string message)
    {
        ModelState.AddModelError(string.Empty, message);
        return Page();
    }

    private PageResult Refuse(IdentityResult result)
    {
        var messages = result.Errors
            .Select(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)
                ? EmailUnavailable
                : e.Description)
            .Distinct();
        foreach (var message in messages)
        {
            ModelState.AddModelError(string.Empty, message);
        }
        return Page();
    }
}
