using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Mail;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// Which events reach the signed-in member of the current workspace, in the app and by mail.
[RequiresPermission(WorkspacePermission.View)]
public sealed class PreferencesModel(SosyabotDbContext db, CurrentWorkspace current, MailQueue mail) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    // The event types ticked in each column.
    [BindProperty]
    public List<string> InApp { get; set; } = [];

    [BindProperty]
    public List<string> Email { get; set; } = [];

    public WorkspaceContext Workspace { get; private set; } = null!;

    public bool MailConfigured => mail.IsConfigured;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        var stored = await db.Set<NotificationPreference>().AsNoTracking()
            .Where(p => p.UserId == Workspace.UserId && p.WorkspaceId == Workspace.WorkspaceId)
            .ToDictionaryAsync(p => p.EventType, cancellationToken);
        foreach (var type in WorkspaceEventTypes.All)
        {
            var (inApp, email) = stored.TryGetValue(type, out var chosen) ? (chosen.InApp, chosen.Email) : NotificationPreference.Defaults(type);
            if (inApp)
            {
                InApp.Add(type);
            }
            if (email)
            {
                Email.Add(type);
            }
        }
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        var stored = await db.Set<NotificationPreference>()
            .Where(p => p.UserId == Workspace.UserId && p.WorkspaceId == Workspace.WorkspaceId)
            .ToDictionaryAsync(p => p.EventType, cancellationToken);
        // Every type gets a row, so that a later change of the defaults does not change a choice made here.
        foreach (var type in WorkspaceEventTypes.All)
        {
            if (!stored.TryGetValue(type, out var preference))
            {
                preference = new NotificationPreference { UserId = Workspace.UserId, WorkspaceId = Workspace.WorkspaceId, EventType = type };
                db.Add(preference);
            }
            preference.InApp = InApp.Contains(type);
            preference.Email = Email.Contains(type);
        }
        await db.SaveChangesAsync(cancellationToken);
        StatusMessage = $"Saved: these events reach you for {Workspace.Workspace.Name}.";
        return RedirectToPage();
    }
}
