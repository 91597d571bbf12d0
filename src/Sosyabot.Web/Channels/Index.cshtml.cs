using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(
    SosyabotDbContext db,
    CurrentWorkspace current,
    XIntegrationSettings settings,
    ChannelConnections connections,
    ChannelTokens tokens,
    IChannelPosts posts) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    [BindProperty]
    public CookieInput Cookies { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public IReadOnlyList<ChannelRow> Channels { get; private set; } = [];

    // Why Connect → X is hidden, or null when it is offered.
    public string? OAuthUnavailableReason { get; private set; }

    [BindProperty]
    public ApiKeysInput ApiKeys { get; set; } = new();

    public sealed record ChannelRow(Guid Id, string Handle, string DisplayName, string? AvatarUrl, ChannelKind Kind, bool IsReadOnly,
        string State, string? StateReason, string? ConnectedBy, DateTimeOffset ConnectedAt, DateTimeOffset? AccessEndsAt, int PendingPosts);

    // The values of X's developer portal, "Keys and tokens"; the access pair is optional.
    public sealed class ApiKeysInput
    {
        [Display(Name = "API key"), StringLength(200)]
        public string? ApiKey { get; set; }

        [Display(Name = "API key secret"), StringLength(200)]
        public string? ApiSecret { get; set; }

        [Display(Name = "Bearer token"), StringLength(400)]
        public string? BearerToken { get; set; }

        [Display(Name = "Access token"), StringLength(200)]
        public string? AccessToken { get; set; }

        [Display(Name = "Access token secret"), StringLength(200)]
        public string? AccessTokenSecret { get; set; }

        [Display(Name = "Account to read (@handle)"), StringLength(20)]
        public string? Username { get; set; }
    }

    public sealed class CookieInput
    {
        [Display(Name = "auth_token"), Required(ErrorMessage = "Paste the auth_token cookie."), StringLength(100)]
        public string? AuthToken { get; set; }

        [Display(Name = "ct0"), Required(ErrorMessage = "Paste the ct0 cookie."), StringLength(200)]
        public string? Ct0 { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostConnectXAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var properties = await connections.BeginOAuthAsync(workspace.WorkspaceId, workspace.UserId, reconnectChannelId: null, cancellationToken);
        return Challenge(properties, XConnectDefaults.Scheme);
    }

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostConnectCookiesAsync(CancellationToken cancellationToken)
    {
        OnlyValidate(nameof(Cookies));
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

    [RequiresPermission(WorkspacePermission.ConnectChannels)]

    public async Task<IActionResult> OnPostConnectApiKeysAsync(CancellationToken cancellationToken)
    {
        OnlyValidate(nameof(ApiKeys));
        var input = ApiKeys;
        var fields = new Dictionary<string, string>
        {
            ["api_key"] = nameof(input.ApiKey), ["api_secret"] = nameof(input.ApiSecret), ["bearer_token"] = nameof(input.BearerToken),
            ["access_token"] = nameof(input.AccessToken), ["access_token_secret"] = nameof(input.AccessTokenSecret), ["username"] = nameof(input.Username),
        };
        foreach (var (field, problem) in ApiKeyFormat.Problems(
                     input.ApiKey?.Trim(), input.ApiSecret?.Trim(), input.BearerToken?.Trim(),
                     input.AccessToken?.Trim(), input.AccessTokenSecret?.Trim(), input.Username?.Trim()))
        {
            ModelState.AddModelError($"{nameof(ApiKeys)}.{fields[field]}", problem);
        }
        if (ModelState.IsValid)
        {
            var workspace = await current.GetAsync(cancellationToken);
            try
            {
                var channel = await connections.ConnectWithApiKeysAsync(
                    workspace.WorkspaceId, workspace.UserId, input.ToCredentials(), input.Username?.Trim(), cancellationToken);
                StatusMessage = channel.IsReadOnly
                    ? $"@{channel.Handle} is connected with your app's keys, read-only: add an access token and secret to post."
                    : $"@{channel.Handle} is connected with your app's keys.";
                return RedirectToPage();
            }
            catch (ChannelConnectException ex)
            {
                ModelState.AddModelError(nameof(ApiKeys), ex.Message);
            }
        }
        // Secrets are never sent back to the browser, not even the ones typed a moment ago.
        ApiKeys = new ApiKeysInput { Username = input.Username };
        await LoadAsync(cancellationToken);
        return Page();
    }

    public IEnumerable<string> ErrorsOf(string form) => ModelState
        .Where(entry => entry.Key == form || entry.Key.StartsWith(form + ".", StringComparison.Ordinal))
        .SelectMany(entry => entry.Value!.Errors.Select(e => e.ErrorMessage));

    // Every [BindProperty] is bound on every POST; the form that was not sent must not fail validation.
    private void OnlyValidate(string form)
    {
        foreach (var key in ModelState.Keys.Where(k => k != form && !k.StartsWith(form + ".", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        await tokens.MarkExpiredAsync(Workspace.WorkspaceId, cancellationToken);
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == Workspace.WorkspaceId && c.State != ChannelStates.Removed)
            .OrderBy(c => c.State == ChannelStates.Disconnected).ThenBy(c => c.Handle)
            .Select(c => new { Channel = c, ConnectedBy = c.ConnectedBy.Email })
            .ToListAsync(cancellationToken);
        var integration = await settings.GetAsync(cancellationToken);
        var pending = await posts.PendingCountsAsync(channels.Select(c => c.Channel.Id).ToList(), cancellationToken);
        Channels = channels.Select(row => new ChannelRow(
            row.Channel.Id, row.Channel.Handle, row.Channel.DisplayName, row.Channel.AvatarUrl, row.Channel.Kind, row.Channel.IsReadOnly,
            row.Channel.State, row.Channel.StateReason, row.ConnectedBy, row.Channel.ConnectedAt,
            ChannelAccess.EndsAt(row.Channel, integration), pending.GetValueOrDefault(row.Channel.Id))).ToList();
        OAuthUnavailableReason = integration.UnavailableReason;
    }
}

internal static class ApiKeysInputExtensions
{
    public static ApiKeyCredentials ToCredentials(this IndexModel.ApiKeysInput input) => new(
        input.ApiKey!.Trim(), input.ApiSecret!.Trim(), input.BearerToken!.Trim(),
        string.IsNullOrWhiteSpace(input.AccessToken) ? null : input.AccessToken.Trim(),
        string.IsNullOrWhiteSpace(input.AccessTokenSecret) ? null : input.AccessTokenSecret.Trim());
}
