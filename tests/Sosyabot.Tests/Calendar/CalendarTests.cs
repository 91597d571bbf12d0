using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Tests.Workspaces;
using Sosyabot.Web.Calendar;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Calendar;

// The app with its publisher stopped: the posts these tests place stay where they put them.
public sealed class CalendarAppFactory : SosyabotAppFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["PUBLISHER_ENABLED"] = "false",
    };
}

// The calendar's feed and its moves through the pages a browser calls, and the time zone and clock settings.
public sealed class CalendarTests(CalendarAppFactory app) : IClassFixture<CalendarAppFactory>
{
    private static readonly DateOnly Day = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(3));

    [Fact]
    public async Task Feed_TwoWorkspacesSameDay_EachSeesOnlyItsOwnPostsAndTheChannelFilterNarrows()
    {
        var (alice, aliceWorkspace, aliceId) = await OwnerAsync("alice");
        var (bob, bobWorkspace, bobId) = await OwnerAsync("bob");
        var aliceMain = await ChannelAsync(aliceWorkspace, aliceId, "alice_main");
        var aliceSide = await ChannelAsync(aliceWorkspace, aliceId, "alice_side");
        var bobMain = await ChannelAsync(bobWorkspace, bobId, "bob_main");
        var onMain = await PostAsync(aliceWorkspace, aliceId, aliceMain, "Alice on main", At(10));
        var onSide = await PostAsync(aliceWorkspace, aliceId, aliceSide, "Alice on side", At(11));
        var bobs = await PostAsync(bobWorkspace, bobId, bobMain, "Bob's secret plan", At(10));

        var all = await FeedAsync(alice, "");
        Assert.Equal([onMain, onSide], all.Select(e => Guid.Parse(e.GetProperty("id").GetString()!)));
        Assert.DoesNotContain(all, e => e.GetProperty("title").GetString()!.Contains("Bob", StringComparison.Ordinal));
        var first = all[0];
        Assert.Equal("scheduled", first.GetProperty("extendedProps").GetProperty("kind").GetString());
        Assert.Equal($"/app/publishing/posts/{onMain}", first.GetProperty("url").GetString());
        Assert.True(first.GetProperty("startEditable").GetBoolean());
        Assert.StartsWith("@alice_main: Scheduled for", first.GetProperty("extendedProps").GetProperty("states")[0].GetString());

        var filtered = await FeedAsync(alice, $"&channel={aliceSide}");
        Assert.Equal(onSide, Guid.Parse(Assert.Single(filtered).GetProperty("id").GetString()!));
        // Another workspace's channel in the filter shows nothing of it.
        Assert.Empty(await FeedAsync(alice, $"&channel={bobMain}"));
        Assert.Equal(bobs, Guid.Parse(Assert.Single(await FeedAsync(bob, "")).GetProperty("id").GetString()!));
    }

    [Fact]
    public async Task Feed_BusyDay_ListsTheFirstPostsAndCountsTheRest()
    {
        var (owner, workspace, userId) = await OwnerAsync("busy");
        var channel = await ChannelAsync(workspace, userId, "busy_main");
        for (var i = 0; i < CalendarFeed.MaxPerDay + 3; i++)
        {
            await PostAsync(workspace, userId, channel, $"Busy {i:00}", At(8).AddMinutes(i));
        }

        var events = await FeedAsync(owner, "");

        var posts = events.Where(e => e.GetProperty("extendedProps").GetProperty("kind").GetString() != "more").ToList();
        Assert.Equal(Enumerable.Range(0, CalendarFeed.MaxPerDay).Select(i => $"Busy {i:00}"), posts.Select(e => e.GetProperty("title").GetString()));
        var more = Assert.Single(events, e => e.GetProperty("extendedProps").GetProperty("kind").GetString() == "more");
        Assert.Equal("+3 more", more.GetProperty("title").GetString());
        Assert.Equal(Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), more.GetProperty("start").GetString());
    }

    [Fact]
    public async Task Drop_QueuedPostToAnotherDay_MovesThePostAndItsDeliveries()
    {
        var (owner, workspace, userId) = await OwnerAsync("mover");
        var channel = await ChannelAsync(workspace, userId, "mover_main");
        var post = await PostAsync(workspace, userId, channel, "Move me", At(10));

        using var response = await DropAsync(owner, post, Day.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:00:00Z");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("Moved to", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        var moved = new DateTimeOffset(Day.AddDays(2).ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
        Assert.Equal((moved, moved), await DueAsync(post));
    }

    [Fact]
    public async Task Drop_PublishedPost_RefusedWithTheLifecycleReasonAndNothingMoves()
    {
        var (owner, workspace, userId) = await OwnerAsync("published");
        var channel = await ChannelAsync(workspace, userId, "published_main");
        var post = await PostAsync(workspace, userId, channel, "Already out", At(10), DeliveryStates.Published);

        var feed = await FeedAsync(owner, "");
        Assert.False(Assert.Single(feed).GetProperty("startEditable").GetBoolean());
        using var response = await DropAsync(owner, post, Day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:00:00Z");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("already gone out on @published_main",
            JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        Assert.Equal((At(10), At(10)), await DueAsync(post));
    }

    [Fact]
    public async Task Drop_ByViewer_RefusedAndTheFeedOffersNoMoves()
    {
        var (owner, workspace, userId) = await OwnerAsync("watched");
        var channel = await ChannelAsync(workspace, userId, "watched_main");
        var post = await PostAsync(workspace, userId, channel, "Watched", At(10));
        var (viewer, _) = await Membership.JoinAsync(app, owner, "Viewer");

        var feed = await FeedAsync(viewer, "");
        Assert.False(Assert.Single(feed).GetProperty("startEditable").GetBoolean());
        using var response = await DropAsync(
            viewer.WithoutRedirects(), post, Day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T10:00:00Z",
            viewer);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal((At(10), At(10)), await DueAsync(post));
    }

    [Fact]
    public async Task Preferences_OwnZoneThenWorkspaceDefault_CalendarShowsTheEffectiveOne()
    {
        var (owner, _, _) = await OwnerAsync("zones");
        var (editor, _) = await Membership.JoinAsync(app, owner, "Editor");

        await SaveAsync(owner, "#workspace-form", "Shared", "America/New_York", "12");
        var editorCalendar = await editor.GetDocumentAsync("/app/calendar");
        Assert.Contains("Times in America/New_York (the workspace's default), 12-hour clock", editorCalendar.QuerySelector("#calendar-zone")!.TextContent);
        Assert.Equal("America/New_York", editorCalendar.QuerySelector("#calendar")!.GetAttribute("data-time-zone"));
        Assert.Equal("false", editorCalendar.QuerySelector("#calendar")!.GetAttribute("data-clock24"));

        var saved = await SaveAsync(editor, "#mine-form", "Mine", "Asia/Tokyo", "24");
        Assert.Contains("Your time zone and clock are saved.", saved.QuerySelector(".flash-success")!.TextContent);
        Assert.Contains("Times in Asia/Tokyo (your setting), 24-hour clock",
            (await editor.GetDocumentAsync("/app/calendar")).QuerySelector("#calendar-zone")!.TextContent);

        var refused = await SaveAsync(editor, "#mine-form", "Mine", "Mars/Olympus_Mons", "24");
        Assert.Contains("is not a time zone this server knows", refused.QuerySelector(".field-error")!.TextContent);

        // An editor may not change the workspace's default: the form is disabled and a forged post is refused.
        var page = await editor.GetDocumentAsync("/app/settings/preferences");
        Assert.Null(page.QuerySelector("#save-workspace"));
        var token = page.QuerySelector("#workspace-form input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        using var forged = await editor.WithoutRedirects().PostAsync("/app/settings/preferences?handler=Workspace", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["Shared.TimeZone"] = "UTC", ["Shared.Clock"] = "24", ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
        Assert.Contains("America/New_York (the workspace's default)",
            (await owner.GetDocumentAsync("/app/calendar")).QuerySelector("#calendar-zone")!.TextContent);
    }

    [Fact]
    public async Task Preferences_SavedZoneAndClock_PostPageAndComposerUseThem()
    {
        var (owner, workspaceId, userId) = await OwnerAsync("everywhere");
        var channelId = await ChannelAsync(workspaceId, userId, "everywhere" + Guid.NewGuid().ToString("N")[..6]);
        var postId = await PostAsync(workspaceId, userId, channelId, "Read in Tokyo", At(6));

        await SaveAsync(owner, "#mine-form", "Mine", "Asia/Tokyo", "12");

        // 06:00 UTC is 3:00 PM in Tokyo (UTC+9, no daylight saving).
        var post = await owner.GetDocumentAsync($"/app/publishing/posts/{postId}");
        Assert.Contains($"{Day:yyyy-MM-dd} 3:00 PM (Asia/Tokyo)", post.QuerySelector(".page-head")!.TextContent);
        Assert.Equal("Asia/Tokyo", post.QuerySelector("input[name='RescheduleTimeZone']")!.GetAttribute("value"));
        Assert.Equal($"{Day:yyyy-MM-dd}T15:00", post.QuerySelector("#RescheduleLocal")!.GetAttribute("value"));
        var composer = await owner.GetDocumentAsync("/app/publishing");
        Assert.Equal("Asia/Tokyo", composer.QuerySelector("#Compose_TimeZone")!.GetAttribute("value"));
    }

    private async Task<(BrowserClient Client, Guid WorkspaceId, string UserId)> OwnerAsync(string name)
    {
        var email = $"calendar-{name}-{Guid.NewGuid():N}@sosyabot.test";
        var client = await app.RegisterAsync(email);
        var workspace = Guid.Parse(await Membership.CurrentWorkspaceIdAsync(client));
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        return (client, workspace, (await db.Users.SingleAsync(u => u.Email == email)).Id);
    }

    private async Task<Guid> ChannelAsync(Guid workspaceId, string userId, string handle)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var channel = new Channel
        {
            WorkspaceId = workspaceId, XUserId = Guid.NewGuid().ToString("N"), Kind = ChannelKind.OAuth2, Handle = handle, DisplayName = handle,
            ConnectedByUserId = userId, ConnectedAt = DateTimeOffset.UtcNow,
        };
        db.Channels.Add(channel);
        await db.SaveChangesAsync();
        return channel.Id;
    }

    private async Task<Guid> PostAsync(Guid workspaceId, string userId, Guid channelId, string text, DateTimeOffset at, string state = DeliveryStates.Queued)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var post = new Post { WorkspaceId = workspaceId, CreatedByUserId = userId, CreatedAt = DateTimeOffset.UtcNow, DueAt = at, Parts = [text] };
        post.Deliveries.Add(new Delivery
        {
            WorkspaceId = workspaceId, ChannelId = channelId, DueAt = at, State = state,
            TweetIds = state == DeliveryStates.Published ? ["1234567890"] : [], PublishedAt = state == DeliveryStates.Published ? at : null,
        });
        db.Posts.Add(post);
        await db.SaveChangesAsync();
        return post.Id;
    }

    private async Task<(DateTimeOffset Post, DateTimeOffset Delivery)> DueAsync(Guid postId)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var post = await db.Posts.AsNoTracking().Include(p => p.Deliveries).SingleAsync(p => p.Id == postId);
        return (post.DueAt, Assert.Single(post.Deliveries).DueAt);
    }

    private static DateTimeOffset At(int hour) => new(Day.ToDateTime(new TimeOnly(hour, 0)), TimeSpan.Zero);

    // The feed for the days around Day, read in UTC (no zone chosen, no browser cookie).
    private static async Task<List<JsonElement>> FeedAsync(BrowserClient client, string query)
    {
        var start = Day.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";
        var end = Day.AddDays(2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00Z";
        using var response = await client.GetAsync($"/app/calendar?handler=Feed&start={start}&end={end}{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    // What the page's script sends after a drag: the new start and the page's antiforgery token.
    private static async Task<HttpResponseMessage> DropAsync(HttpClient client, Guid postId, string start, BrowserClient? pageReader = null)
    {
        var page = await (pageReader ?? (BrowserClient)client).GetDocumentAsync("/app/calendar");
        var token = page.QuerySelector("input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/app/calendar?handler=Drop")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["postId"] = postId.ToString(), ["start"] = start }),
        };
        request.Headers.Add("RequestVerificationToken", token);
        return await client.SendAsync(request);
    }

    private static async Task<AngleSharp.Dom.IDocument> SaveAsync(BrowserClient client, string form, string prefix, string zone, string clock)
    {
        var page = await client.GetDocumentAsync("/app/settings/preferences");
        using var response = await client.SubmitAsync(page, form, new Dictionary<string, string>
        {
            [$"{prefix}.TimeZone"] = zone, [$"{prefix}.Clock"] = clock,
        });
        return await HtmlForms.ParseAsync(response);
    }
}
