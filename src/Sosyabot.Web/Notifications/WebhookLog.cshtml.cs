using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// One webhook's recent deliveries and every attempt of each: when, the answer's status, how long, the start of the
// answer, and when the next retry goes.
[RequiresPermission(WorkspacePermission.ManageWebhooks)]
public sealed class WebhookLogModel(SosyabotDbContext db, CurrentWorkspace current, WebhookTests tests) : PageModel
{
    private const int Shown = 50;

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public Webhook Webhook { get; private set; } = null!;

    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } webhook)
        {
            return NotFound();
        }
        Webhook = webhook;
        Deliveries = await db.Set<WebhookDelivery>().AsNoTracking()
            .Where(d => d.WebhookId == id)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Take(Shown)
            .Include(d => d.Attempts.OrderBy(a => a.AttemptedAt))
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostTestAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } webhook)
        {
            return NotFound();
        }
        var (ok, message) = await tests.SendAsync(webhook, cancellationToken);
        if (ok)
        {
            StatusMessage = message;
        }
        else
        {
            ErrorMessage = message;
        }
        return RedirectToPage(new { id });
    }

    private async Task<Webhook?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        return await db.Set<Webhook>().AsNoTracking().SingleOrDefaultAsync(w => w.Id == id && w.WorkspaceId == workspace.WorkspaceId, cancellationToken);
    }
}
