using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Analytics;

// The workspace's metrics: per channel over time, the posts with their latest numbers, the on/off switch
// (owners and admins, the roles that manage channels, whose X reads it spends) and the export.
[RequiresPermission(WorkspacePermission.View)]
public sealed class IndexModel(
    CurrentWorkspace current, AnalyticsReport report, MetricsFetcher fetcher, IOptions<AnalyticsOptions> options, IReaderClock reader, TimeProvider time) : PageModel
{
    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [TempData(Key = Flash.ErrorKey)]
    public string? ErrorMessage { get; set; }

    public WorkspaceContext Workspace { get; private set; } = null!;

    public WorkspaceAnalyticsView View { get; private set; } = null!;

    public PostDisplay Display { get; private set; } = null!;

    public AnalyticsOptions Options => options.Value;

    public bool CanManage => Workspace.Can(WorkspacePermission.ManageChannels);

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Workspace = await current.GetAsync(cancellationToken);
        View = await report.ForWorkspaceAsync(Workspace.WorkspaceId, time.GetUtcNow(), cancellationToken);
        Display = await PostDisplay.ForReaderAsync(reader, time, cancellationToken);
    }

    [RequiresPermission(WorkspacePermission.ManageChannels)]
    public async Task<IActionResult> OnPostMetricsAsync(bool enabled, CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        await report.SetEnabledAsync(workspace.WorkspaceId, enabled, workspace.UserId, time.GetUtcNow(), cancellationToken);
        StatusMessage = enabled
            ? "Metrics are on: Sosyabot reads your published posts' numbers from X on a schedule. Each read is billed on X's pay-per-use plans."
            : "Metrics are off: Sosyabot no longer reads from X for this workspace. The numbers already read stay.";
        return RedirectToPage();
    }

    [RequiresPermission(WorkspacePermission.ManageChannels)]
    public async Task<IActionResult> OnPostFetchAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (!options.Value.Enabled)
        {
            ErrorMessage = "Reading metrics is off on this instance (METRICS_INTERVAL_MINUTES is 0). Ask your admin.";
        }
        else if (!await report.IsEnabledAsync(workspace.WorkspaceId, cancellationToken))
        {
            ErrorMessage = "Turn metrics on for this workspace first.";
        }
        else
        {
            var read = await fetcher.FetchNowAsync(workspace.WorkspaceId, cancellationToken);
            StatusMessage = $"Read the metrics of {read} post{(read == 1 ? "" : "s")} from X.";
        }
        return RedirectToPage();
    }
}
