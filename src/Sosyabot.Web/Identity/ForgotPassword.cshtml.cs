using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Mail;

namespace Sosyabot.Web.Identity;

// Mails a reset link when SMTP is configured. The answer is the same, in words and in time (the mail goes out in the
// background), whether or not an account has this address, so the page tells nobody who has an account here.
[AllowAnonymous]
[EnableRateLimiting(AccountsExtensions.LoginPolicy)]
public sealed class ForgotPasswordModel(
    UserManager<AppUser> users, PasswordResetLinks links, MailQueue mail, AccountEvents events) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData]
    public string? SentTo { get; set; }

    public bool MailConfigured => mail.IsConfigured;

    public static string Sent(string email) =>
        $"If an account uses {email}, a link to reset its password is on its way there. The link works once, for " +
        $"{PasswordResetLinks.Lifespan.TotalHours:0} hours. No mail? Check your spam folder, or ask an admin of this instance for a reset link.";

    public sealed class InputModel
    {
        [Required, EmailAddress, StringLength(256), PlainText]
        public string Email { get; set; } = "";
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (!mail.IsConfigured || !ModelState.IsValid)
        {
            return Page();
        }

        var user = await users.FindByEmailAsync(Input.Email);
        // A disabled account gets no link: only an admin brings it back.
        if (user is { DisabledAt: null, Email: { } email })
        {
            var link = await links.CreateAsync(user);
            mail.TryEnqueue(new OutgoingMail(email, "Reset your Sosyabot password",
                $"Someone, hopefully you, asked to reset the password of your Sosyabot account ({email}).\n\n" +
                $"Open this link to choose a new password:\n{link}\n\n" +
                $"The link works once and expires in {PasswordResetLinks.Lifespan.TotalHours:0} hours. Setting a new password " +
                "signs you out everywhere.\n\nIf you did not ask for this, ignore this mail: your password stays as it is.\n"));
        }
        events.ResetRequested(user?.Id);
        SentTo = Input.Email;
        return RedirectToPage();
    }
}
