using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Analytics;

// Every metrics reading of the current workspace as CSV, one row per post, channel and reading time (UTC).
[RequiresPermission(WorkspacePermission.View)]
public sealed class ExportModel(CurrentWorkspace current, AnalyticsReport report, TimeProvider time) : PageModel
{
    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var rows = await report.ExportAsync(workspace.WorkspaceId, cancellationToken);
        var csv = new StringBuilder(Csv.Line(
            "fetched_at_utc", "post_id", "channel", "tweet_id", "published_at_utc",
            "impressions", "likes", "reposts", "replies", "quotes", "bookmarks", "text"));
        foreach (var (s, handle, text, publishedAt) in rows)
        {
            csv.Append(Csv.Line(
                Utc(s.FetchedAt), s.PostId.ToString(), Csv.Text(handle), Csv.Text(s.TweetId), publishedAt is { } at ? Utc(at) : "",
                Number(s.Impressions), Number(s.Likes), Number(s.Reposts), Number(s.Replies), Number(s.Quotes), Number(s.Bookmarks), Csv.Text(text)));
        }
        var name = string.Create(CultureInfo.InvariantCulture, $"sosyabot-metrics-{time.GetUtcNow():yyyyMMdd-HHmm}.csv");
        return File(Csv.Utf8(csv), "text/csv; charset=utf-8", name);
    }

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
