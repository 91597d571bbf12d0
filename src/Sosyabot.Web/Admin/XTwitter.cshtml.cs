using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Admin;

public sealed class XTwitterModel(XIntegrationSettings settings, XWebSettings webSettings, IOptions<SiteOptions> site) : PageModel
{
    [BindProperty]
    public WebPathInput Web { get; set; } = new();

    public XWebState WebState { get; private set; } = null!;

    // The cookie path's settings; an empty field means "the environment's value, or the default".
    public sealed class WebPathInput : IValidatableObject
    {
        [Display(Name = "Cookie channels (x.com's web path)")]
        public bool Enabled { get; set; } = true;

        public Dictionary<string, string?> QueryIds { get; set; } = [];

        [Display(Name = "Tweet features (JSON)")]
        public string? TweetFeatures { get; set; }

        [Display(Name = "Timeline features (JSON)")]
        public string? TimelineFeatures { get; set; }

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            foreach (var (operation, id) in QueryIds)
            {
                if (!XWebOperations.All.Contains(operation))
                {
                    yield return new ValidationResult($"{operation} is not an operation of the cookie path.");
                }
                else if (!string.IsNullOrWhiteSpace(id) && !System.Text.RegularExpressions.Regex.IsMatch(id.Trim(), XWebOperations.QueryIdPattern))
                {
                    yield return new ValidationResult(
                        $"The query id of {operation} is 10 to 64 letters, digits, _ or -, as in x.com's /i/api/graphql/<id>/{operation}.",
                        [$"Web.QueryIds[{operation}]"]);
                }
            }
            foreach (var (name, value) in new[] { ("Tweet features", TweetFeatures), ("Timeline features", TimelineFeatures) })
            {
                if (!string.IsNullOrWhiteSpace(value) && XWebOperations.FeaturesProblem(value) is { } problem)
                {
                    yield return new ValidationResult($"{name} {problem}");
                }
            }
        }
    }

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
        WebState = await webSettings.GetAsync(cancellationToken);
        Web = new WebPathInput
        {
            Enabled = WebState.Enabled,
            QueryIds = WebState.QueryIds.ToDictionary(q => q.Key, q => q.Value.Source == SettingSource.AdminPanel ? q.Value.Value : null),
            TweetFeatures = WebState.TweetFeatures.Source == SettingSource.AdminPanel ? WebState.TweetFeatures.Value : null,
            TimelineFeatures = WebState.TimelineFeatures.Source == SettingSource.AdminPanel ? WebState.TimelineFeatures.Value : null,
        };
        Input = new InputModel
        {
            ClientId = State.ClientId.Source == SettingSource.AdminPanel ? State.ClientId.Value : null,
            Status = State.Enabled ? OptionKeys.StatusEnabled : OptionKeys.StatusDisabled,
            LongLivedConnections = State.LongLivedConnections,
        };
    }

    public async Task<IActionResult> OnPostSaveAsync(CancellationToken cancellationToken)
    {
        // Each form posts its own part of the page; the other one's fields are not validated here.
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith("Web.", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        if (!ModelState.IsValid)
        {
            State = await settings.GetAsync(cancellationToken);
            WebState = await webSettings.GetAsync(cancellationToken);
            return Page();
        }

        await settings.SaveAsync(
            Input.ClientId, Input.ClientSecret, Input.Status == OptionKeys.StatusEnabled, Input.LongLivedConnections, AdminName, cancellationToken);
        StatusMessage = "X (Twitter) settings saved. They apply from the next request on; no restart needed.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostSaveWebAsync(CancellationToken cancellationToken)
    {
        foreach (var key in ModelState.Keys.Where(k => k.StartsWith("Input.", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        if (!ModelState.IsValid)
        {
            State = await settings.GetAsync(cancellationToken);
            WebState = await webSettings.GetAsync(cancellationToken);
            return Page();
        }
        await webSettings.SaveAsync(Web.Enabled, Web.QueryIds, Web.TweetFeatures, Web.TimelineFeatures, AdminName, cancellationToken);
        StatusMessage = Web.Enabled
            ? "Cookie channel settings saved. Posts held for the cookie path go out from now on; no restart needed."
            : "Cookie channel settings saved. The cookie path is off: cookie channels cannot connect or publish, " +
              "and their posts are held until it is on again.";
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
        SettingSource.Default => $"Default (set {environmentVariable} to change it)",
        _ => "Not set",
    };
}
