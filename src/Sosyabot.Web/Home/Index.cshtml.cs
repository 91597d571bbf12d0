using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sosyabot.Web.Home;

// The start page is the workspace's channels: everything else starts from an account there.
public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Channels/Index");
}
