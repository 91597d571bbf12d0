using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Admin;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Channels;

public sealed class IndexModel(
    SosyabotDbContext db,
    CurrentWorkspace current,
    XIntegrationSettings settings,
    ChannelConnections connections,
    ChannelTokens tokens) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [BindProperty]
    public CookieInput Cookies { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<ChannelRow> Channels { get; private set; } = [];

    /// <summary>Why Connect → X is hidden, or null when it is offered.</summary>
    public string? OAuthUnavailableReason { get; private set; }

    public sealed record ChannelRow(Guid Id, string Handle, string DisplayName, string? AvatarUrl, ChannelKind Kind,
        string State, string? StateReason, string? ConnectedBy, DateTimeOffset ConnectedAt);

    public sealed class CookieInput
    {
        [Display(Name = "auth_token"), Required(ErrorMessage = "Paste the auth_token cookie."), StringLength(100)]
        public string? AuthToken { get; set; }

        [Display(Name = "ct0"), Required(ErrorMessage = "Paste the ct0 cookie."), StringLength(200)]
        public string? Ct0 { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostConnectXAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var properties = await connections.BeginOAuthAsync(workspace.WorkspaceId, workspace.UserId, reconnectChannelId: null, cancellationToken);
        return Challenge(properties, XConnectDefaults.Scheme);
    }

    public async Task<IActionResult> OnPostConnectCookiesAsync(CancellationToken cancellationToken)
    {
        if (ModelState.IsValid && WebSessionCookieFormat.Problem(Cookies.AuthToken, Cookies.Ct0) is { } problem)
        {
            ModelState.AddModelError(nameof(Cookies), problem);
        }
        if (ModelState.IsValid)
        {
            var workspace = await current.GetAsync(cancellationToken);
            try
            {
                var channel = await connections.ConnectWebSessionAsync(
                    workspace.WorkspaceId, workspace.UserId, new WebSessionCookies(Cookies.AuthToken!, Cookies.Ct0!), cancellationToken);
                StatusMessage = $"@{channel.Handle} is connected through its browser session.";
                return RedirectToPage();
            }
            catch (ChannelConnectException ex)
            {
                ModelState.AddModelError(nameof(Cookies), ex.Message);
            }
        }
        Cookies = new CookieInput();
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        await tokens.MarkExpiredAsync(Workspace.WorkspaceId, cancellationToken);
        Channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == Workspace.WorkspaceId)
            .OrderBy(c => c.State == ChannelStates.Disconnected).ThenBy(c => c.Handle)
            .Select(c => new ChannelRow(c.Id, c.Handle, c.DisplayName, c.AvatarUrl, c.Kind, c.State, c.StateReason, c.ConnectedBy.Email, c.ConnectedAt))
            .ToListAsync(cancellationToken);
        OAuthUnavailableReason = (await settings.GetAsync(cancellationToken)).UnavailableReason;
    }
}
