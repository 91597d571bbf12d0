using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Notifications;

// The signed-in member's notifications in the current workspace, newest first, a page at a time.
[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(SosyabotDbContext db, CurrentWorkspace current, TimeProvider time) : PageModel
{
    public const int PageSize = 25;

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    public IReadOnlyList<Notification> Items { get; private set; } = [];

    public int Unread { get; private set; }

    public bool HasOlder { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        PageNumber = Math.Clamp(PageNumber, 1, 10_000);
        var mine = Mine(workspace);
        var rows = await mine.AsNoTracking()
            .OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id)
            .Skip((PageNumber - 1) * PageSize).Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        HasOlder = rows.Count > PageSize;
        Items = rows.Take(PageSize).ToList();
        Unread = await mine.CountAsync(n => n.ReadAt == null, cancellationToken);
    }

    public async Task<IActionResult> OnPostReadAsync(Guid id, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var marked = await Mine(workspace).Where(n => n.Id == id && n.ReadAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, time.GetUtcNow()), cancellationToken);
        if (marked == 0 && !await Mine(workspace).AnyAsync(n => n.Id == id, cancellationToken))
        {
            return NotFound();
        }
        return RedirectToPage(new { p = PageNumber > 1 ? PageNumber : (int?)null });
    }

    public async Task<IActionResult> OnPostReadAllAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var marked = await Mine(workspace).Where(n => n.ReadAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.ReadAt, time.GetUtcNow()), cancellationToken);
        StatusMessage = marked == 1 ? "1 notification marked as read." : $"{marked} notifications marked as read.";
        return RedirectToPage();
    }

    private IQueryable<Notification> Mine(WorkspaceContext workspace) =>
        db.Set<Notification>().Where(n => n.UserId == workspace.UserId && n.WorkspaceId == workspace.WorkspaceId);
}
