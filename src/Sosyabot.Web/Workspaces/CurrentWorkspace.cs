using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Workspaces;

public sealed record WorkspaceSummary(Guid Id, string Name, WorkspaceRole Role);

// The signed-in user and the workspace they are acting in, for this request.
public sealed record WorkspaceContext(string UserId, string UserName, WorkspaceSummary Workspace, IReadOnlyList<WorkspaceSummary> Memberships)
{
    public Guid WorkspaceId => Workspace.Id;

    public WorkspaceRole Role => Workspace.Role;

    public bool Can(WorkspacePermission permission) => WorkspacePermissions.Allows(Workspace.Role, permission);
}

// Resolves, once per request, which workspace the caller acts in: the one named by the switcher's
// cookie when the caller is a member of it, otherwise the oldest one they own (their personal one) and
// never one they were invited into, so that joining a workspace cannot redirect what a person does
// without choosing it in the switcher. Every workspace-owned query
// filters by WorkspaceContext.WorkspaceId from here, never by an id the client sent.
public sealed class CurrentWorkspace(SosyabotDbContext db, IHttpContextAccessor httpContextAccessor, WorkspaceCreator workspaces)
{
    public const string CookieName = "sosyabot.workspace";

    private WorkspaceContext? _context;

    public async Task<WorkspaceContext> GetAsync(CancellationToken cancellationToken)
    {
        if (_context is not null)
        {
            return _context;
        }

        var http = httpContextAccessor.HttpContext ?? throw new InvalidOperationException("No request in progress.");
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier)
            ?? throw new InvalidOperationException("CurrentWorkspace needs a signed-in user.");
        var userName = http.User.Identity?.Name ?? userId;

        var memberships = await LoadMembershipsAsync(userId, cancellationToken);
        if (!memberships.Any(m => m.Role == WorkspaceRole.Owner))
        {
            // Accounts made before new accounts were given a workspace at creation get theirs on first use, and so do
            // accounts that own none (they left or were never given one): the default must be their own. A first
            // page load sends several requests at once; the lock on the user makes them agree on one workspace.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"first-workspace:" + userId}, 0))", cancellationToken);
            if (!await db.WorkspaceMembers.AnyAsync(m => m.UserId == userId && m.Role == WorkspaceRole.Owner, cancellationToken))
            {
                await workspaces.CreatePersonalAsync(userId, userName, cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
            memberships = await LoadMembershipsAsync(userId, cancellationToken);
        }

        var chosen = Guid.TryParse(http.Request.Cookies[CookieName], out var id)
            ? memberships.FirstOrDefault(m => m.Id == id)
            : null;
        return _context = new WorkspaceContext(userId, userName, chosen ?? memberships.First(m => m.Role == WorkspaceRole.Owner), memberships);
    }

    // Makes workspaceId the one this browser works in from the next request on.
    public static void Remember(HttpContext http, Guid workspaceId) =>
        http.Response.Cookies.Append(CookieName, workspaceId.ToString(), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(365),
        });

    private Task<List<WorkspaceSummary>> LoadMembershipsAsync(string userId, CancellationToken cancellationToken) =>
        db.WorkspaceMembers.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.Workspace.CreatedAt)
            .Select(m => new WorkspaceSummary(m.WorkspaceId, m.Workspace.Name, m.Role))
            .ToListAsync(cancellationToken);
}
