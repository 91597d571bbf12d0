using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Admin;

// A password reset link an admin hands over by hand, for instances that send no mail (or a person whose mail is lost).
// The link is shown once, in the answer to the POST, and never stored or logged.
public sealed class UserResetLinkModel(UserManager<AppUser> users, PasswordResetLinks links, AccountEvents events) : PageModel
{
    [FromRoute]
    public string UserId { get; set; } = "";

    public string Email { get; private set; } = "";

    public string? Link { get; private set; }

    public static string LifespanText => $"{PasswordResetLinks.Lifespan.TotalHours:0} hours";

    public async Task<IActionResult> OnGetAsync()
    {
        if (await users.FindByIdAsync(UserId) is not { } user)
        {
            return NotFound();
        }
        Email = user.Email ?? user.UserName ?? user.Id;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (await users.FindByIdAsync(UserId) is not { } user)
        {
            return NotFound();
        }
        Email = user.Email ?? user.UserName ?? user.Id;
        Link = await links.CreateAsync(user);
        events.ResetLinkIssued(users.GetUserId(User) ?? "", user.Id);
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
