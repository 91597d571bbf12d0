using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Agents;

// The workspace's API tokens: created with scopes and shown once, listed by hint and last use, revoked.
[RequiresPermission(WorkspacePermission.View)]
public sealed class ApiTokensModel(SosyabotDbContext db, CurrentWorkspace current, AccessRevocations revocations, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public CreateInput Input { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<TokenRow> Tokens { get; private set; } = [];

    // The token just created, shown on the one page view after the redirect and never again. It rides in
    // TempData (a DataProtection-encrypted cookie, dropped once read), the Identity UI's way with recovery
    // codes, so that a reload cannot resubmit the form and mint a second token.
    [TempData(Key = "Sosyabot.NewApiToken")]
    public string? CreatedSecret { get; set; }

    public sealed record TokenRow(Guid Id, string Name, string Hint, IReadOnlyList<string> Scopes, string CreatedByUserId, string? CreatedBy,
        DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

    public sealed class CreateInput
    {
        [Required(ErrorMessage = "Name the token after the agent or automation that will use it."), StringLength(100), PlainText, Display(Name = "Name")]
        public string? Name { get; set; }

        public List<string> Scopes { get; set; } = [];
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (CreatedSecret is not null)
        {
            Response.Headers.CacheControl = "no-store";
        }
        await LoadAsync(cancellationToken);
    }

    [RequiresPermission(WorkspacePermission.CreateApiTokens)]

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken cancellationToken)
    {
        var scopes = Input.Scopes.Distinct().ToList();
        if (scopes.Count == 0 || scopes.Any(s => !ApiScopes.All.Contains(s)))
        {
            ModelState.AddModelError("Input.Scopes", "Choose at least one scope: read, write or dm.");
        }
        await LoadAsync(cancellationToken);
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var secret = ApiToken.NewSecret();
        db.ApiTokens.Add(new ApiToken
        {
            WorkspaceId = Workspace.WorkspaceId,
            Name = Input.Name!.Trim(),
            Hint = ApiToken.HintOf(secret),
            SecretHash = ApiToken.Hash(secret),
            Scopes = [.. ApiScopes.All.Where(scopes.Contains)],
            CreatedByUserId = Workspace.UserId,
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);

        CreatedSecret = secret;
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.CreateApiTokens)]

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == id && t.WorkspaceId == Workspace.WorkspaceId, cancellationToken);
        if (token is null)
        {
            return NotFound();
        }
        if (!WorkspacePermissions.MayRevokeToken(Workspace, token.CreatedByUserId))
        {
            return Forbid();
        }
        token.RevokedAt ??= time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        revocations.Record();
        StatusMessage = $"The token “{token.Name}” ({token.Hint}) is revoked: calls with it now get 401 (within 5 seconds on the instance's other nodes, if it runs several).";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        Tokens = await db.ApiTokens.AsNoTracking()
            .Where(t => t.WorkspaceId == Workspace.WorkspaceId)
            .OrderBy(t => t.RevokedAt != null).ThenByDescending(t => t.CreatedAt)
            .Select(t => new TokenRow(t.Id, t.Name, t.Hint, t.Scopes, t.CreatedByUserId, t.CreatedBy.Email, t.CreatedAt, t.LastUsedAt, t.RevokedAt))
            .ToListAsync(cancellationToken);
    }
}
