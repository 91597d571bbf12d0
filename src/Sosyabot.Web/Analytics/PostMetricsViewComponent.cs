using Microsoft.AspNetCore.Mvc;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Analytics;

// The metrics block of a published post's page (Publishing/Post): latest numbers per channel and the chart over time.
public sealed class PostMetricsViewComponent(CurrentWorkspace current, AnalyticsReport report, IReaderClock reader, TimeProvider time) : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync(Guid postId)
    {
        var workspace = await current.GetAsync(HttpContext.RequestAborted);
        var metrics = await report.ForPostAsync(workspace.WorkspaceId, postId, HttpContext.RequestAborted);
        return View("/Analytics/_PostMetrics.cshtml", new PostMetricsModel(metrics, await PostDisplay.ForReaderAsync(reader, time, HttpContext.RequestAborted)));
    }
}

public sealed record PostMetricsModel(PostMetricsView Metrics, PostDisplay Display);
