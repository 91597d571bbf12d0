using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

[RequestSizeLimit(MaxRequestBytes), RequestFormLimits(MultipartBodyLengthLimit = MaxRequestBytes)]
public sealed class IndexModel(
    SosyabotDbContext db, CurrentWorkspace current, PublishingQueue queue, IOptions<XOptions> x) : PageModel
{
    public const int HistoryPageSize = 100;

    // Four images at X's largest image size, with room for the form around them.
    private const long MaxRequestBytes = 4L * PublishingQueue.MaxGifBytes + 1024 * 1024;

    [TempData(Key = Flash.SuccessKey)]
    public string? StatusMessage { get; set; }

    [BindProperty]
    public ComposeInput Compose { get; set; } = new();

    [BindProperty(SupportsGet = true, Name = "state")]
    public string? StateFilter { get; set; }

    [BindProperty(SupportsGet = true, Name = "channel")]
    public Guid? ChannelFilter { get; set; }

    public IReadOnlyList<ChannelOption> Channels { get; private set; } = [];

    public IReadOnlyList<HistoryRow> History { get; private set; } = [];

    public sealed record ChannelOption(Guid Id, string Handle, string? AvatarUrl, bool CanPublish, string? WhyNot);

    public sealed record HistoryRow(
        Guid DeliveryId, DateTimeOffset CreatedAt, DateTimeOffset DueAt, string? TimeZone, IReadOnlyList<string> Parts,
        string Handle, string State, string? Reason, string? Link, int Published, int Images);

    public sealed class ComposeInput
    {
        public List<string?> Parts { get; set; } = [""];

        public List<Guid> ChannelIds { get; set; } = [];

        [RegularExpression("^(now|schedule)$")]
        public string When { get; set; } = "now";

        [Display(Name = "Date and time")]
        public DateTime? ScheduledLocal { get; set; }

        [Display(Name = "Time zone"), StringLength(64)]
        public string? TimeZone { get; set; }

        [Display(Name = "Images (up to 4)")]
        public List<IFormFile> Images { get; set; } = [];

        public List<string?> AltTexts { get; set; } = [];
    }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var scheduledAt = ModelState.IsValid ? ResolveSchedule() : null;
        if (ModelState.IsValid)
        {
            try
            {
                var post = await queue.QueueAsync(workspace.WorkspaceId, workspace.UserId,
                    new PostDraft(Compose.Parts, Compose.ChannelIds, scheduledAt, Compose.TimeZone, await ReadImagesAsync(cancellationToken)), cancellationToken);
                var handles = await db.Channels.Where(c => Compose.ChannelIds.Contains(c.Id) && c.WorkspaceId == workspace.WorkspaceId)
                    .Select(c => "@" + c.Handle).ToListAsync(cancellationToken);
                StatusMessage = scheduledAt is null
                    ? $"Queued for {string.Join(", ", handles)}: publishing now."
                    : $"Scheduled for {string.Join(", ", handles)} at {Compose.ScheduledLocal:yyyy-MM-dd HH:mm} ({Compose.TimeZone}).";
                return RedirectToPage();
            }
            catch (DraftRejectedException ex)
            {
                foreach (var problem in ex.Problems)
                {
                    ModelState.AddModelError(string.Empty, problem);
                }
            }
        }
        await LoadAsync(cancellationToken);
        return Page();
    }

    private async Task<List<MediaDraft>> ReadImagesAsync(CancellationToken cancellationToken)
    {
        var images = new List<MediaDraft>();
        foreach (var (file, index) in Compose.Images.Where(f => f.Length > 0).Select((f, i) => (f, i)))
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, cancellationToken);
            images.Add(new MediaDraft(Path.GetFileName(file.FileName), file.ContentType, buffer.ToArray(), Compose.AltTexts.ElementAtOrDefault(index)));
        }
        return images;
    }

    private DateTimeOffset? ResolveSchedule()
    {
        if (Compose.When != "schedule")
        {
            return null;
        }
        if (Compose.ScheduledLocal is not { } local)
        {
            ModelState.AddModelError("Compose.ScheduledLocal", "Choose the date and time to publish at.");
            return null;
        }
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(Compose.TimeZone ?? "", out var zone))
        {
            ModelState.AddModelError("Compose.TimeZone", $"Unknown time zone '{Compose.TimeZone}'. Use an IANA name such as Europe/Istanbul.");
            return null;
        }
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            ModelState.AddModelError("Compose.ScheduledLocal", $"{local:yyyy-MM-dd HH:mm} does not exist in {zone.Id}: the clocks skip it. Choose another time.");
            return null;
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero);
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        var channels = await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == workspace.WorkspaceId && c.State != ChannelStates.Disconnected)
            .OrderBy(c => c.Handle)
            .ToListAsync(cancellationToken);
        Channels = channels.Select(c => PublishingQueue.CannotPublishReason(c) is not null
            ? new ChannelOption(c.Id, c.Handle, c.AvatarUrl, false, c.IsReadOnly ? "read-only: no access token" : c.Kind == ChannelKind.Cookie ? "browser-session channels cannot publish yet" : c.State)
            : new ChannelOption(c.Id, c.Handle, c.AvatarUrl, true, null)).ToList();

        var deliveries = db.Deliveries.AsNoTracking().Where(d => d.WorkspaceId == workspace.WorkspaceId);
        if (StateFilter is { Length: > 0 } state && DeliveryStates.All.Contains(state))
        {
            deliveries = deliveries.Where(d => d.State == state);
        }
        if (ChannelFilter is { } channelId)
        {
            deliveries = deliveries.Where(d => d.ChannelId == channelId);
        }
        var rows = await deliveries
            .OrderByDescending(d => d.Post.CreatedAt).ThenBy(d => d.Channel.Handle)
            .Take(HistoryPageSize)
            .Select(d => new { d.Id, d.Post.CreatedAt, d.DueAt, d.Post.TimeZone, d.Post.Parts, d.Channel.Handle, d.State, d.Reason, d.TweetIds, Images = d.Post.Media.Count })
            .ToListAsync(cancellationToken);
        var web = x.Value.WebBaseUrl.TrimEnd('/');
        History = rows.Select(r => new HistoryRow(r.Id, r.CreatedAt, r.DueAt, r.TimeZone, r.Parts, r.Handle, r.State, r.Reason,
            r.TweetIds.Count > 0 ? $"{web}/{r.Handle}/status/{r.TweetIds[0]}" : null, r.TweetIds.Count, r.Images)).ToList();
    }

    public static string InZone(DateTimeOffset utc, string? timeZone) =>
        timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
            ? $"{TimeZoneInfo.ConvertTime(utc, zone):yyyy-MM-dd HH:mm} ({zone.Id})"
            : $"{utc.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
}
