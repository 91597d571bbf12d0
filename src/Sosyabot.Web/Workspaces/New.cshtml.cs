using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Workspaces;

// Acts on the set of the caller's workspaces, not inside the current one.
[NotWorkspaceScoped]
public sealed class NewModel(CurrentWorkspace current, WorkspaceCreator creator) : PageModel
{
    [BindProperty, Required, StringLength(WorkspaceCreator.MaxNameLength)]
    [RegularExpression(@"^[^\p{C}]+$", ErrorMessage = "The name may not contain control characters.")]
    [Display(Name = "Workspace name")]
    public string? Name { get; set; }

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var context = await current.GetAsync(cancellationToken);
        var workspace = await creator.CreateAsync(context.UserId, Name!.Trim(), cancellationToken);
        CurrentWorkspace.Remember(HttpContext, workspace.Id);
        StatusMessage = $"Workspace {workspace.Name} created. You are working in it now.";
        return RedirectToPage("/Channels/Index");
    }
}
