using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// The workspace's outgoing webhooks: added with a secret shown once, turned on and off, tested, removed.
[RequiresPermission(WorkspacePermission.ManageWebhooks)]
public sealed class WebhooksModel(
    SosyabotDbContext db, CurrentWorkspace current, WebhookSecrets secrets, WebhookAddresses addresses, WebhookTests tests, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    // The secret just generated, shown on the one page view after the redirect (as API tokens are).
    [TempData(Key = "Sosyabot.NewWebhookSecret")]
    public string? CreatedSecret { get; set; }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<WebhookRow> Webhooks { get; private set; } = [];

    public sealed record WebhookRow(Guid Id, string Url, IReadOnlyList<string> Events, bool Enabled, string? DisabledReason, DateTimeOffset CreatedAt,
        string? LastState, int? LastStatus);

    public sealed class CreateInput
    {
        [Required(ErrorMessage = "Enter the URL that receives the events."), StringLength(2000), PlainText, Display(Name = "Payload URL")]
        public string? Url { get; set; }

        public List<string> Events { get; set; } = [.. WorkspaceEventTypes.All];
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (CreatedSecret is not null)
        {
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(cancellationToken);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var events = Input.Events.Distinct().ToList();
        if (events.Count == 0 || events.Any(e => !WorkspaceEventTypes.All.Contains(e)))
        {
            ModelState.AddModelError("Input.Events", "Choose at least one event.");
        }
        if (ModelState.IsValid && await addresses.ProblemAsync(Input.Url!.Trim(), cancellationToken) is { } problem)
        {
            ModelState.AddModelError("Input.Url", problem);
        }
        await LoadAsync(cancellationToken);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var secret = WebhookSecrets.NewSecret();
        var webhook = new Webhook
        {
            WorkspaceId = Workspace.WorkspaceId,
            Url = Input.Url!.Trim(),
            SecretProtected = "",
            Events = [.. WorkspaceEventTypes.All.Where(events.Contains)],
            CreatedByUserId = Workspace.UserId,
            CreatedAt = time.GetUtcNow(),
        };
        secrets.Store(webhook, secret);
        db.Add(webhook);
        await db.SaveChangesAsync(cancellationToken);
        CreatedSecret = secret;
        StatusMessage = $"Webhook added: events now go to {webhook.Url}.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostToggleAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } webhook)
        {
            return NotFound();
        }
        webhook.Enabled = !webhook.Enabled;
        webhook.DisabledReason = null;
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = webhook.Enabled ? $"{webhook.Url} is on again: new events go to it." : $"{webhook.Url} is off: no events go to it.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } webhook)
        {
            return NotFound();
        }
        db.Remove(webhook);
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = $"Webhook removed: nothing more goes to {webhook.Url}.";
        return RedirectToPage();
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
        return RedirectToPage("/Notifications/WebhookLog", new { id });
    }

    private async Task<Webhook?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        return await db.Set<Webhook>().SingleOrDefaultAsync(w => w.Id == id && w.WorkspaceId == Workspace.WorkspaceId, cancellationToken);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        var deliveries = db.Set<WebhookDelivery>();
        Webhooks = await db.Set<Webhook>().AsNoTracking()
            .Where(w => w.WorkspaceId == Workspace.WorkspaceId)
            .OrderBy(w => w.CreatedAt)
            .Select(w => new WebhookRow(w.Id, w.Url, w.Events, w.Enabled, w.DisabledReason, w.CreatedAt,
                deliveries.Where(d => d.WebhookId == w.Id).OrderByDescending(d => d.CreatedAt).Select(d => d.State).FirstOrDefault(),
                deliveries.Where(d => d.WebhookId == w.Id).OrderByDescending(d => d.CreatedAt)
                    .SelectMany(d => d.Attempts).OrderByDescending(a => a.AttemptedAt).Select(a => a.StatusCode).FirstOrDefault()))
            .ToListAsync(cancellationToken);
    }
}
