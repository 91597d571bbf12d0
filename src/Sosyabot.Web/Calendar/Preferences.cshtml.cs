using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Calendar;

// Time zone and clock: a person's own choice, and the default an owner or admin sets for the workspace's members.
[RequiresPermission(WorkspacePermission.View)]
public sealed class PreferencesModel(CurrentWorkspace current, DisplayPreferences preferences) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public ChoiceInput Mine { get; set; } = new();

    [BindProperty]
    public ChoiceInput Shared { get; set; } = new();

    public WorkspaceContext Workspace { get; private set; } = null!;

    public EffectiveDisplay Effective { get; private set; } = null!;

    public bool CanSetDefault => Workspace.Can(WorkspacePermission.ManageSettings);

    public sealed class ChoiceInput
    {
        // Empty: no choice here, the next rule applies.
        [StringLength(DisplayPreferences.MaxZoneLength)]
        [Display(Name = "Time zone")]
        public string? TimeZone { get; set; }

        // "24", "12" or empty.
        [Display(Name = "Clock")]
        public string? Clock { get; set; }
    }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        var mine = await preferences.MineAsync(Workspace.UserId, cancellationToken);
        var shared = await preferences.WorkspaceDefaultAsync(Workspace.WorkspaceId, cancellationToken);
        Mine = new ChoiceInput { TimeZone = mine?.TimeZone, Clock = ClockValue(mine?.Clock24) };
        Shared = new ChoiceInput { TimeZone = shared?.TimeZone, Clock = ClockValue(shared?.Clock24) };
    }

    [RequiresPermission(WorkspacePermission.View)]
    public async Task<IActionResult> OnPostMineAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (!Validate(Mine, nameof(Mine), out var clock))
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        await preferences.SaveMineAsync(workspace.UserId, Blank(Mine.TimeZone), clock, cancellationToken);
        StatusMessage = "Your time zone and clock are saved.";
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.ManageSettings)]
    public async Task<IActionResult> OnPostWorkspaceAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (!Validate(Shared, nameof(Shared), out var clock))
        {
            await LoadAsync(cancellationToken);
            return Page();
        }
        await preferences.SaveWorkspaceDefaultAsync(workspace.WorkspaceId, Blank(Shared.TimeZone), clock, cancellationToken);
        StatusMessage = $"The default for {workspace.Workspace.Name} is saved.";
        return RedirectToPage();
    }

    private bool Validate(ChoiceInput input, string prefix, out bool? clock24)
    {
        // Only the form that was sent is checked: the other one's fields are empty.
        foreach (var key in ModelState.Keys.Where(k => !k.StartsWith(prefix + ".", StringComparison.Ordinal)).ToList())
        {
            ModelState.Remove(key);
        }
        clock24 = input.Clock switch { "24" => true, "12" => false, _ => null };
        if (input.Clock is { Length: > 0 } && clock24 is null)
        {
            ModelState.AddModelError($"{prefix}.Clock", "Choose a 24-hour or a 12-hour clock.");
        }
        if (Blank(input.TimeZone) is { } zone && DisplayPreferences.Zone(zone) is null)
        {
            ModelState.AddModelError($"{prefix}.TimeZone", $"“{zone}” is not a time zone this server knows. Choose one such as Europe/Istanbul.");
        }
        return ModelState.IsValid;
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        Effective = await preferences.ForAsync(Workspace, cancellationToken);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string? ClockValue(bool? clock24) => clock24 switch { true => "24", false => "12", null => "" };
}
