using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Workspaces;

// Acts on the set of the caller's workspaces, not inside the current one.
[NotWorkspaceScoped]
public sealed class SwitchModel(CurrentWorkspace current) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public IActionResult OnGet() => RedirectToPage("/Channels/Index");

    public async Task<IActionResult> OnPostAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var context = await current.GetAsync(cancellationToken);
        if (context.Memberships.FirstOrDefault(m => m.Id == workspaceId) is not { } target)
        {
            return NotFound();
        }
        CurrentWorkspace.Remember(HttpContext, target.Id);
        StatusMessage = $"Now working in {target.Name}.";
        return RedirectToPage("/Channels/Index");
    }
}
