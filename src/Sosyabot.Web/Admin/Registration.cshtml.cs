using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Admin;

public sealed class RegistrationModel(RegistrationSettings registration) : PageModel
{
    [BindProperty, Required, RegularExpression("^(open|invite-only|closed)$", ErrorMessage = "Choose open, invite-only or closed.")]
    public string Mode { get; set; } = "open";

    public DateTimeOffset? UpdatedAt { get; private set; }

    public string? UpdatedBy { get; private set; }

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var (mode, updatedAt, updatedBy) = await registration.GetAsync(cancellationToken);
        Mode = RegistrationSettings.Name(mode);
        (UpdatedAt, UpdatedBy) = (updatedAt, updatedBy);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid || RegistrationSettings.Parse(Mode) is not { } mode)
        {
            (_, UpdatedAt, UpdatedBy) = await registration.GetAsync(cancellationToken);
            return Page();
        }
        await registration.SaveAsync(mode, User.Identity?.Name ?? "unknown", cancellationToken);
        StatusMessage = mode switch
        {
            RegistrationMode.InviteOnly => "Registration is now invite-only: only people holding a workspace invitation can create an account.",
            RegistrationMode.Closed => "Registration is now closed: nobody can create an account. Existing accounts still sign in.",
            _ => "Registration is now open: anyone who can reach this instance can create an account.",
        };
        return RedirectToPage();
    }
}
