using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Workspaces;
using Sosyabot.Web.Channels;

namespace Sosyabot.Tests.Queue;

// The posting queue through the real pages and /api/v1: each test a workspace of its own, its times in UTC (the
// zone a schedule starts in when the browser sent none), slots computed from the app's clock.
public sealed class PostingQueueTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private AgentWorkspace _workspace = null!;
    private Channel _channel = null!;
    private HttpClient _agent = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        _workspace = await AgentWorkspace.RegisterAsync(app);
        _channel = await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        _agent = AgentWorkspace.Agent(app, await _workspace.CreateTokenAsync("read", "write"));
    }

    public Task DisposeAsync()
    {
        _agent.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AddToQueue_TwoPostsByApi_TakeTheNextTwoSlotsInOrderAndCancellingFreesTheSlot()
    {
        await AddTimeAsync("09:00");
        await AddTimeAsync("21:00");
        var slots = Daily(9, 21).Take(3).ToList();

        var first = await QueueAsync("First in line");
        var second = await QueueAsync("Second in line");

        Assert.Equal(slots[0], DueAt(first));
        Assert.Equal(slots[1], DueAt(second));
        Assert.Equal(slots[0], first.GetProperty("deliveries")[0].GetProperty("due_at").GetDateTimeOffset());

        using (var cancelled = await _agent.DeleteAsync($"/api/v1/posts/{first.GetProperty("id").GetString()}"))
        {
            cancelled.EnsureSuccessStatusCode();
        }
        var third = await QueueAsync("Takes the freed slot");
        Assert.Equal(slots[0], DueAt(third));

        var page = await _workspace.User.GetDocumentAsync("/app/queue");
        var shown = SlotsOn(page, _channel.Handle);
        Assert.Equal(["Takes the freed slot", "Second in line", "free"], shown.Take(3).Select(s => s.Filled));
        Assert.Equal(slots, shown.Take(3).Select(s => s.At));
    }

    [Fact]
    public async Task AddToQueue_SlotTakenByAPostScheduledByHand_IsSkipped()
    {
        await AddTimeAsync("09:00");
        var slots = Daily(9).Take(2).ToList();
        using (var scheduled = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new { text = "Scheduled by hand", scheduled_at = slots[0] }))
        {
            scheduled.EnsureSuccessStatusCode();
        }

        Assert.Equal(slots[1], DueAt(await QueueAsync("After the hand-scheduled one")));
    }

    [Fact]
    public async Task AddToQueue_ChannelWithTimesOfItsOwn_UsesThemInsteadOfTheDefault()
    {
        var other = await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        await AddTimeAsync("09:00");
        await AddTimeAsync("13:30", other.Id);

        Assert.Equal(Daily(9).First(), DueAt(await QueueAsync("On the default times")));
        Assert.Equal(Daily(13.5).First(), DueAt(await QueueAsync("On its own times", other.Id)));

        var page = await _workspace.User.GetDocumentAsync("/app/queue");
        Assert.Contains("own times", page.QuerySelector($".queue-channel[data-handle='{other.Handle}'] h3")!.TextContent);
        Assert.Contains("default times", page.QuerySelector($".queue-channel[data-handle='{_channel.Handle}'] h3")!.TextContent);
        Assert.Equal("On its own times", SlotsOn(page, other.Handle)[0].Filled);
    }

    [Fact]
    public async Task AddToQueue_TwoChannelsInTheComposer_TakesTheFirstTimeFreeOnBoth()
    {
        var other = await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        await AddTimeAsync("09:00");
        await AddTimeAsync("21:00");
        var slots = Daily(9, 21).Take(2).ToList();
        Assert.Equal(slots[0], DueAt(await QueueAsync("Only on the first channel")));

        var composer = await _workspace.User.GetDocumentAsync("/app/publishing");
        Assert.NotNull(composer.QuerySelector("#add-to-queue"));
        using var response = await _workspace.User.SubmitAsync(composer, "#add-to-queue", new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = "Through the composer",
            ["Compose.ChannelIds"] = _channel.Id.ToString(),
            ["Compose.TimeZone"] = "Europe/Istanbul",
            ["Compose.Action"] = "queue",
        });
        var shown = await HtmlForms.ParseAsync(response);

        Assert.Null(shown.QuerySelector(".validation-summary-errors"));
        await using var db = app.Database.CreateDbContext();
        var post = await db.Posts.AsNoTracking().SingleAsync(p => p.Parts[0] == "Through the composer");
        Assert.Equal(slots[1], post.DueAt);
        var istanbul = TimeZoneInfo.ConvertTime(slots[1], TimeZoneInfo.FindSystemTimeZoneById("Europe/Istanbul"));
        var flash = shown.QuerySelector(".flash-success")!.TextContent;
        Assert.Contains($"Added to the queue for @{_channel.Handle}", flash);
        Assert.Contains($"{istanbul:HH:mm} (Europe/Istanbul)", flash);

        // Both channels at once: the first two times are taken on one of them, so the third is the first free on both.
        using var both = await PostComposerAsync(
            ("Compose.Parts[0]", "On both channels at once"), ("Compose.ChannelIds", _channel.Id.ToString()),
            ("Compose.ChannelIds", other.Id.ToString()), ("Compose.Action", "queue"));
        Assert.Equal(HttpStatusCode.Redirect, both.StatusCode);
        var twoChannels = await db.Posts.AsNoTracking().Include(p => p.Deliveries).SingleAsync(p => p.Parts[0] == "On both channels at once");
        Assert.Equal(Daily(9, 21).ElementAt(2), twoChannels.DueAt);
        Assert.Equal(2, twoChannels.Deliveries.Count);
    }

    [Fact]
    public async Task AddToQueue_NoTimesSetUp_RefusedWithWhereToAddThem()
    {
        using var api = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts", new { text = "Nowhere to go", queue = true });
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Contains($"@{_channel.Handle} has no posting times yet: add them on the Queue page", await api.Content.ReadAsStringAsync());

        var composer = await _workspace.User.GetDocumentAsync("/app/publishing");
        using var response = await _workspace.User.SubmitAsync(composer, "#add-to-queue", new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = "Nowhere to go either",
            ["Compose.ChannelIds"] = _channel.Id.ToString(),
            ["Compose.Action"] = "queue",
        });
        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("has no posting times yet", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Posts.AnyAsync(p => p.WorkspaceId == _channel.WorkspaceId));
    }

    [Fact]
    public async Task AddToQueue_WithScheduledAt_Answers400()
    {
        await AddTimeAsync("09:00");

        using var response = await _agent.PostAsJsonAsync($"/api/v1/channels/{_channel.Id}/posts",
            new { text = "Both", queue = true, scheduled_at = app.Clock.GetUtcNow().AddDays(1) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("leave out scheduled_at", problem.GetProperty("errors").GetProperty("queue")[0].GetString());
    }

    [Fact]
    public async Task AddToQueue_TenAtOnce_EachTakesItsOwnSlot()
    {
        await AddTimeAsync("09:00");
        await AddTimeAsync("21:00");

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => QueueAsync($"Racing {i}")));

        var taken = answers.Select(DueAt).Order().ToList();
        Assert.Equal(Daily(9, 21).Take(10), taken);
    }

    [Fact]
    public async Task QueuePage_AsViewer_ShowsTheTimesButRefusesChanges()
    {
        await AddTimeAsync("09:00");
        var (viewer, _) = await Membership.JoinAsync(app, _workspace.User, "Viewer");

        var page = await viewer.GetDocumentAsync("/app/queue");
        Assert.NotNull(page.QuerySelector("#queue-read-only"));
        Assert.Null(page.QuerySelector("#add-slot"));
        Assert.Equal("09:00", page.QuerySelector(".schedule-week[data-schedule='default'] .day[data-day='Monday'] li span")!.TextContent);

        // The owner's form, sent with the viewer's session.
        var ownersPage = await _workspace.User.GetDocumentAsync("/app/queue");
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var slotForm = ownersPage.QuerySelector(".day[data-day='Monday'] form")!.GetAttribute("action")!;
        using var remove = await viewer.WithoutRedirects().PostAsync(slotForm,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, remove.StatusCode);
        using var add = await viewer.WithoutRedirects().PostAsync("/app/queue?handler=AddSlot",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Slot.Time"] = "10:00" }));
        Assert.Equal(HttpStatusCode.Forbidden, add.StatusCode);
        await using var db = app.Database.CreateDbContext();
        Assert.Equal(7, await db.PostingSlots.CountAsync(s => db.PostingSchedules.Any(p => p.Id == s.ScheduleId && p.WorkspaceId == _channel.WorkspaceId)));
    }

    [Fact]
    public async Task QueuePage_RemoveTimeAndChangeZone_NextSlotsFollow()
    {
        await AddTimeAsync("09:00");
        await AddTimeAsync("21:00");
        var page = await _workspace.User.GetDocumentAsync("/app/queue");
        using (var removed = await _workspace.User.SubmitAsync(page, ".day[data-day='Monday'] li:last-child button"))
        {
            Assert.Contains("Time removed", (await HtmlForms.ParseAsync(removed)).QuerySelector(".flash-success")!.TextContent);
        }
        page = await _workspace.User.GetDocumentAsync("/app/queue");
        Assert.Equal(["09:00"], page.QuerySelectorAll(".day[data-day='Monday'] li span").Select(s => s.TextContent));

        using (var zone = await _workspace.User.SubmitAsync(page, ".schedule-week[data-schedule='default'] form.inline-form button",
                   new Dictionary<string, string> { ["timeZone"] = "America/New_York" }))
        {
            Assert.Contains("now in America/New_York", (await HtmlForms.ParseAsync(zone)).QuerySelector(".flash-success")!.TextContent);
        }
        var york = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var next = DueAt(await QueueAsync("In New York time"));
        var local = TimeZoneInfo.ConvertTime(next, york);
        Assert.True(local.TimeOfDay == TimeSpan.FromHours(9) || (local.DayOfWeek != DayOfWeek.Monday && local.TimeOfDay == TimeSpan.FromHours(21)),
            $"{local} is not one of the schedule's times in New York");
        Assert.True(next > app.Clock.GetUtcNow() && next <= app.Clock.GetUtcNow().AddDays(1));
    }

    // Adds a time on every day to the default schedule, or to channelId's own, through the page's form.
    private async Task AddTimeAsync(string time, Guid? channelId = null)
    {
        var page = await _workspace.User.GetDocumentAsync("/app/queue");
        using var response = await _workspace.User.SubmitAsync(page, "#add-slot button[type=submit]", new Dictionary<string, string>
        {
            ["Slot.Time"] = time,
            ["Slot.ChannelId"] = channelId?.ToString() ?? "",
        });
        var shown = await HtmlForms.ParseAsync(response);
        Assert.True(shown.QuerySelector(".flash-success")?.TextContent.Contains($"Added {time} on every day", StringComparison.Ordinal) == true,
            shown.QuerySelector(".validation-summary-errors, .flash-error")?.TextContent ?? $"{(int)response.StatusCode} {shown.Url} {shown.QuerySelector("main")?.TextContent[..Math.Min(600, shown.QuerySelector("main")!.TextContent.Length)]}");
    }

    private async Task<JsonElement> QueueAsync(string text, Guid? channelId = null)
    {
        using var response = await _agent.PostAsJsonAsync($"/api/v1/channels/{channelId ?? _channel.Id}/posts", new { text, queue = true });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    // Posts the composer's fields, a name repeated as a browser repeats a ticked checkbox's.
    private async Task<HttpResponseMessage> PostComposerAsync(params (string Name, string Value)[] fields)
    {
        var composer = await _workspace.User.GetDocumentAsync("/app/publishing");
        var token = composer.QuerySelector("#composer input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var content = new FormUrlEncodedContent(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))
            .Append(KeyValuePair.Create("__RequestVerificationToken", token)));
        return await _workspace.User.WithoutRedirects().PostAsync("/app/publishing", content);
    }

    private static DateTimeOffset DueAt(JsonElement post) => post.GetProperty("due_at").GetDateTimeOffset();

    // The next times, after the app's clock, that come every day at these UTC hours.
    private IEnumerable<DateTimeOffset> Daily(params double[] hours)
    {
        var now = app.Clock.GetUtcNow();
        for (var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero); ; day = day.AddDays(1))
        {
            foreach (var at in hours.Order().Select(h => day.AddHours(h)).Where(at => at > now))
            {
                yield return at;
            }
        }
    }

    private static List<(DateTimeOffset At, string Filled)> SlotsOn(IDocument page, string handle) =>
        page.QuerySelectorAll($".queue-channel[data-handle='{handle}'] .slot")
            .Select(s => (DateTimeOffset.Parse(s.GetAttribute("data-at")!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
                s.QuerySelector(".slot-post")?.TextContent ?? s.QuerySelector(".slot-free")!.TextContent))
            .ToList();
}
