using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Admin;

public sealed class XTwitterModel(XIntegrationSettings settings, IOptions<SiteOptions> site) : PageModel
{
    [BindProperty]
    public InputModel Input { get; set; } = new();

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData]
    public bool? TestSucceeded { get; set; }

    [TempData]
    public string? TestMessage { get; set; }

    public XIntegrationState State { get; private set; } = null!;

    public string CallbackUrl => site.Value.TwitterCallbackUrl;

    public sealed class InputModel
    {
        [Display(Name = "Client ID"), CredentialValue]
        public string? ClientId { get; set; }

        [Display(Name = "Client Secret"), CredentialValue, DataType(DataType.Password)]
        public string? ClientSecret { get; set; }

        [Display(Name = "Status"), Required, RegularExpression("^(enabled|disabled)$", ErrorMessage = "Status must be Enable or Disable.")]
        public string Status { get; set; } = OptionKeys.StatusEnabled;

        [Display(Name = "Long-lived connections (request offline.access and renew tokens before they expire)")]
        public bool LongLivedConnections { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        State = await settings.GetAsync(cancellationToken);
        Input = new InputModel
        {
            ClientId = State.ClientId.Source == SettingSource.AdminPanel ? State.ClientId.Value : null,
            Status = State.Enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled,
            LongLivedConnections = State.LongLivedConnections,
        };
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        if (!ModelState.IsValid)
        {
            State = await settings.GetAsync(cancellationToken);
            return Page();
        }

        await settings.SaveAsync(
            Input.ClientId, Input.ClientSecret, Input.Status == OptionKeys.StatusEnabled, Input.LongLivedConnections, AdminName, cancellationToken);
        StatusMessage = "X (Twitter) settings saved. They apply from the next request on; no restart needed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostTestAsync(CancellationToken cancellationToken)
    {
        var state = await settings.GetAsync(cancellationToken);
        TestSucceeded = state.UnavailableReason is null;
        TestMessage = state.UnavailableReason
            ?? $"Credentials are configured. Client ID: {state.ClientIdPreview}… Callback URL: {CallbackUrl}";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostClearAsync(CancellationToken cancellationToken)
    {
        await settings.ClearCredentialsAsync(AdminName, cancellationToken);
        StatusMessage = "The admin panel's Client ID and Secret were removed; the environment's values apply, if any.";
        return RedirectToPage();
    }

    private string AdminName => User.Identity?.Name ?? "unknown";

    public static string Describe(SettingSource source, string environmentVariable) => source switch
    {
        SettingSource.AdminPanel => "Admin panel",
        SettingSource.Environment => $"Environment ({environmentVariable})",
        _ => "Not set",
    };
}
