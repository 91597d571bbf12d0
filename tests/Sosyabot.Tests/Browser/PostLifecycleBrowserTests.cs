using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Sosyabot.Web.Data;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// What a person does with a post after writing it, clicked through in Chromium: drafts, edit, reschedule, cancel,
// duplicate, retry and delete from X, checked on the pages and on what the XSandbox (X) received.
[Collection(BrowserCollection.Name)]
public sealed class PostLifecycleBrowserTests(SandboxedApp app, BrowserSession browser)
    : IClassFixture<SandboxedApp>, IClassFixture<BrowserSession>
{
    private SandboxState Sandbox => app.Sandbox.Services.GetRequiredService<SandboxState>();

    [Fact]
    public async Task Draft_SavedOpenedChangedAndPublished_SandboxGetsTheChangedTextAndDraftsTabIsEmpty()
    {
        var page = await UserWithChannelsAsync("draft", "Alice Sandbox");
        var id = Marker();
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"First thoughts {id}");
        await page.GetByLabel("@sandbox_alice").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).ClickAsync();

        await page.ArrivedAtAsync("**/app/publishing?view=drafts");
        Assert.Contains("Draft saved", await page.Locator(".flash-success").TextContentAsync());
        var row = page.Locator("li.post-row", new() { HasText = id });
        Assert.Equal($"First thoughts {id}", (await row.Locator(".post-text").TextContentAsync())?.Trim());
        Assert.Contains("Draft · saved", await row.Locator(".meta").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "50-lifecycle-drafts-tab");

        await row.GetByRole(AriaRole.Link, new() { Name = "Open", Exact = true }).ClickAsync();
        Assert.Equal("Draft", await page.Locator("h1").TextContentAsync());
        Assert.Contains("Nothing goes to X until you publish it", await page.Locator("#post-when").TextContentAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Open draft" }).ClickAsync();
        await page.ArrivedAtAsync("**/edit");
        Assert.Equal($"First thoughts {id}", await page.GetByLabel("Post", new() { Exact = true }).InputValueAsync());
        Assert.True(await page.GetByLabel("@sandbox_alice").IsCheckedAsync());
        Assert.True(await page.GetByLabel("Publish now").IsCheckedAsync());
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"Second thoughts {id}");
        await BrowserSession.ScreenshotAsync(page, "51-lifecycle-draft-edit-page");
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();

        Assert.Contains("publishing now", await page.Locator(".flash-success").TextContentAsync());
        var posted = Assert.Single(await SandboxPostsAsync(page, id, 1));
        Assert.Equal($"Second thoughts {id}", posted.Text);
        Assert.Equal("sandbox_alice", posted.Account.Username);
        await page.GotoAsync("/app/publishing?view=drafts");
        Assert.Equal(0, await page.Locator("li.post-row").CountAsync());
        Assert.Contains("No drafts", await page.Locator("#no-posts").TextContentAsync());
    }

    [Fact]
    public async Task Edit_ScheduledPostTextAndChannelsChanged_PostPageShowsThemAndNothingIsSent()
    {
        var page = await UserWithChannelsAsync("edit", "Alice Sandbox", "Bob Sandbox");
        var id = Marker();
        var postPage = await ScheduleAsync(page, $"Before the edit {id}", ["sandbox_alice"], Tomorrow());

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/edit");
        Assert.Equal("Edit post", await page.Locator("h1").TextContentAsync());
        Assert.True(await page.GetByLabel("Schedule").IsCheckedAsync());
        Assert.True(await page.GetByLabel("@sandbox_alice").IsCheckedAsync());
        Assert.False(await page.GetByLabel("@sandbox_bob").IsCheckedAsync());
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync($"After the edit {id}");
        await page.GetByLabel("@sandbox_alice").UncheckAsync();
        await page.GetByLabel("@sandbox_bob").CheckAsync();
        await BrowserSession.ScreenshotAsync(page, "52-lifecycle-edit-scheduled");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await page.ArrivedAtAsync(postPage);
        Assert.Contains("Saved: scheduled for", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal([$"After the edit {id}"], await page.Locator("#parts-list .part-text").AllTextContentsAsync());
        Assert.Equal(["sandbox_bob"], await Handles(page));
        Assert.Equal("queued", await DeliveryState(page, "sandbox_bob"));
        Assert.StartsWith("Scheduled for", await Badge(page, "sandbox_bob"));
        await BrowserSession.ScreenshotAsync(page, "53-lifecycle-post-edited");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit", Exact = true }).ClickAsync();
        Assert.False(await page.GetByLabel("@sandbox_alice").IsCheckedAsync());
        Assert.True(await page.GetByLabel("@sandbox_bob").IsCheckedAsync());
        Assert.DoesNotContain(Sandbox.Posts, p => p.Text.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reschedule_ToAnotherDayThenToTheNextMinute_PageAndDueTimeFollowAndThenItGoesOut()
    {
        var page = await UserWithChannelsAsync("reschedule", "Alice Sandbox");
        var id = Marker();
        var text = $"Moved around {id}";
        await ScheduleAsync(page, text, ["sandbox_alice"], Tomorrow());
        var postId = PostIdFromUrl(page.Url);

        var zone = TimeZoneInfo.FindSystemTimeZoneById(await page.GetByLabel("Time zone").InputValueAsync());
        var dayAfter = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), zone).Date.AddDays(2).AddHours(9).AddMinutes(30);
        await page.GetByLabel("Move to").FillAsync(dayAfter.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();

        var shown = dayAfter.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        Assert.Contains($"Rescheduled for {shown}", await page.Locator(".flash-success").TextContentAsync());
        Assert.Contains($"Scheduled for {shown} ({zone.Id})", await page.Locator("#post-when").TextContentAsync());
        Assert.Equal($"Scheduled for {shown}", await Badge(page, "sandbox_alice"));
        Assert.Equal(dayAfter.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), await page.GetByLabel("Move to").InputValueAsync());
        Assert.Equal(new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(dayAfter, zone)), Assert.Single(await DueTimesAsync(postId)));
        await BrowserSession.ScreenshotAsync(page, "54-lifecycle-rescheduled");

        // The publisher runs on the real clock here: the next whole minute is at most a minute away.
        var nextMinute = TimeZoneInfo.ConvertTime(TimeProvider.System.GetUtcNow(), zone).DateTime;
        nextMinute = nextMinute.AddTicks(-(nextMinute.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(1);
        await page.GetByLabel("Move to").FillAsync(nextMinute.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Reschedule" }).ClickAsync();
        Assert.Contains("Rescheduled for", await page.Locator(".flash-success").TextContentAsync());

        Assert.Equal("published", await WaitForStateAsync(page, "sandbox_alice", "published", TimeSpan.FromSeconds(100)));
        var posted = Assert.Single(await SandboxPostsAsync(page, id, 1));
        Assert.Equal(text, posted.Text);
        Assert.True(posted.CreatedAt >= new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(nextMinute, zone)) - TimeSpan.FromSeconds(1),
            $"Sent at {posted.CreatedAt:O}, before its time {nextMinute:O} ({zone.Id}).");
        Assert.Equal(0, await page.Locator("#reschedule").CountAsync());
    }

    [Fact]
    public async Task Cancel_OneChannelThenThePost_OnlyThatChannelThenAllCancelledAndNothingSent()
    {
        var page = await UserWithChannelsAsync("cancel", "Alice Sandbox", "Bob Sandbox");
        var id = Marker();
        await ScheduleAsync(page, $"Never mind {id}", ["sandbox_alice", "sandbox_bob"], Tomorrow());
        var dialogs = AcceptDialogs(page);

        await page.Locator("li.delivery[data-handle='sandbox_alice'] button.cancel").ClickAsync();

        Assert.Equal(["Cancel this post on @sandbox_alice?"], dialogs);
        Assert.Contains("Cancelled", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal("cancelled", await DeliveryState(page, "sandbox_alice"));
        Assert.Equal("Cancelled", await Badge(page, "sandbox_alice"));
        Assert.Equal("Cancelled before anything was sent.", await page.Locator("li.delivery[data-handle='sandbox_alice'] .reason").TextContentAsync());
        Assert.Equal("queued", await DeliveryState(page, "sandbox_bob"));
        Assert.StartsWith("Scheduled for", await Badge(page, "sandbox_bob"));
        Assert.Equal(0, await page.Locator("li.delivery[data-handle='sandbox_alice'] button.cancel").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "55-lifecycle-cancelled-one-channel");

        await page.Locator("#cancel-all").ClickAsync();

        Assert.Equal("Cancel this post on 1 channel? What is already on X stays there; nothing more is sent.", dialogs[^1]);
        Assert.Equal("cancelled", await DeliveryState(page, "sandbox_alice"));
        Assert.Equal("cancelled", await DeliveryState(page, "sandbox_bob"));
        Assert.Equal("Cancelled", await Badge(page, "sandbox_bob"));
        Assert.Equal(0, await page.Locator("#cancel-all").CountAsync());
        Assert.Equal(0, await page.Locator("button.cancel").CountAsync());
        // Nothing is scheduled any more: the page must not say it is, nor offer to move it.
        Assert.StartsWith("Cancelled", (await page.Locator("#post-when").TextContentAsync())?.Trim());
        Assert.Equal(0, await page.Locator("#reschedule").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "56-lifecycle-cancelled-all");
        Assert.DoesNotContain(Sandbox.Posts, p => p.Text.Contains(id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Duplicate_PublishedPost_EditPageOfANewDraftWithTheSameText()
    {
        var page = await UserWithChannelsAsync("duplicate", "Alice Sandbox");
        var text = $"Worth saying twice {Marker()}";
        var original = await PublishNowAsync(page, text, "sandbox_alice");
        await page.GotoAsync($"/app/publishing/posts/{original}");
        Assert.Equal("published", await WaitForStateAsync(page, "sandbox_alice", "published", TimeSpan.FromSeconds(20)));

        await page.GetByRole(AriaRole.Button, new() { Name = "Duplicate" }).ClickAsync();

        await page.ArrivedAtAsync("**/app/publishing/posts/*/edit");
        var copy = PostIdFromUrl(page.Url);
        Assert.NotEqual(original, copy);
        Assert.Contains("A copy was saved as a draft", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal("Draft", await page.Locator("h1").TextContentAsync());
        Assert.Equal(text, await page.GetByLabel("Post", new() { Exact = true }).InputValueAsync());
        Assert.True(await page.GetByLabel("@sandbox_alice").IsCheckedAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Button, new() { Name = "Save draft" }).CountAsync());
        await BrowserSession.ScreenshotAsync(page, "57-lifecycle-duplicate-draft");

        await page.GotoAsync("/app/publishing?view=drafts");
        Assert.Equal(text, (await page.Locator($"li.post-row[data-post='{copy}'] .post-text").TextContentAsync())?.Trim());
        Assert.Single(Sandbox.Posts, p => p.Text == text);
    }

    [Fact]
    public async Task RetryAndDeleteFromX_SameTextTwiceThenFirstDeleted_SecondFailsAsDuplicateThenRetriesToPublished()
    {
        var page = await UserWithChannelsAsync("retry", "Alice Sandbox");
        var text = $"Said once, said again {Marker()}";
        var first = await PublishNowAsync(page, text, "sandbox_alice");
        await page.GotoAsync($"/app/publishing/posts/{first}");
        Assert.Equal("published", await WaitForStateAsync(page, "sandbox_alice", "published", TimeSpan.FromSeconds(20)));
        var firstTweet = Assert.Single(Sandbox.Posts, p => p.Text == text).Id;

        var second = await PublishNowAsync(page, text, "sandbox_alice");
        await page.GotoAsync($"/app/publishing/posts/{second}");
        Assert.Equal("failed", await WaitForStateAsync(page, "sandbox_alice", "failed", TimeSpan.FromSeconds(20)));
        Assert.Equal("Failed", await Badge(page, "sandbox_alice"));
        Assert.Equal("X refused it as duplicate content: the account already posted this exact text. Change the text and post again.",
            await page.Locator("li.delivery[data-handle='sandbox_alice'] .reason").TextContentAsync());
        Assert.Equal(1, await page.Locator("li.delivery[data-handle='sandbox_alice'] button.retry").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "58-lifecycle-failed-duplicate");

        // A third post, scheduled, so that the history shows published, failed and scheduled side by side.
        await ScheduleAsync(page, $"Later on {Marker()}", ["sandbox_alice"], Tomorrow());
        await page.GotoAsync("/app/publishing");
        Assert.Equal("published", await page.Locator($"li.post-row[data-post='{first}'] li.delivery").GetAttributeAsync("data-state"));
        Assert.Equal("failed", await page.Locator($"li.post-row[data-post='{second}'] li.delivery").GetAttributeAsync("data-state"));
        Assert.Contains("duplicate content", await page.Locator($"li.post-row[data-post='{second}'] .reason").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "59-lifecycle-history-states");

        var dialogs = AcceptDialogs(page);
        await page.GotoAsync($"/app/publishing/posts/{first}");
        await page.Locator("li.delivery[data-handle='sandbox_alice'] button.delete-from-x").ClickAsync();

        Assert.Equal(["Delete this post from X on @sandbox_alice? This cannot be undone on X."], dialogs);
        Assert.Contains("Deleted from X on 1 channel", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal("deleted", await DeliveryState(page, "sandbox_alice"));
        Assert.Equal("Deleted from X", await Badge(page, "sandbox_alice"));
        Assert.Equal(0, await page.Locator("li.delivery a.link-out").CountAsync());
        Assert.Equal(0, await page.Locator("button.delete-from-x").CountAsync());
        Assert.Equal(0, await page.Locator("li.delivery[data-handle='sandbox_alice'] .meta", new() { HasText = "on X" }).CountAsync());
        await BrowserSession.ScreenshotAsync(page, "60-lifecycle-deleted-from-x");
        Assert.DoesNotContain(await SandboxListingAsync(page), p => p.Id == firstTweet);

        await page.GotoAsync($"/app/publishing/posts/{second}");
        await page.Locator("li.delivery[data-handle='sandbox_alice'] button.retry").ClickAsync();

        Assert.Contains("Queued again for 1 channel", await page.Locator(".flash-success").TextContentAsync());
        Assert.Equal("published", await WaitForStateAsync(page, "sandbox_alice", "published", TimeSpan.FromSeconds(20)));
        Assert.Equal(0, await page.Locator("li.delivery[data-handle='sandbox_alice'] .reason").CountAsync());
        await BrowserSession.ScreenshotAsync(page, "61-lifecycle-retried-published");
        var listed = Assert.Single(await SandboxListingAsync(page), p => p.Text == text);
        Assert.NotEqual(firstTweet, listed.Id);
        Assert.EndsWith($"/sandbox_alice/status/{listed.Id}",
            await page.Locator("li.delivery[data-handle='sandbox_alice'] a.link-out").GetAttributeAsync("href"));
    }

    private static string Marker() => Guid.NewGuid().ToString("N")[..10];

    // A fresh user with these sandbox accounts connected, on the publishing page.
    private async Task<IPage> UserWithChannelsAsync(string user, params string[] accounts)
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await SandboxSteps.ConfigureSandboxClientAsync(admin);
        await admin.Context.CloseAsync();

        var page = await browser.NewPageAsync(app.Address);
        await SandboxSteps.RegisterAsync(page, $"lifecycle-{user}@sosyabot.test", "lifecycle-password-123");
        foreach (var account in accounts)
        {
            await SandboxSteps.ConnectSandboxAccountAsync(page, app, account);
        }
        await page.GotoAsync("/app/publishing");
        return page;
    }

    // This time tomorrow, as the composer's date field takes it.
    private static string Tomorrow() => TimeProvider.System.GetLocalNow().AddDays(1).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture);

    // Schedules a post from the composer, opens it from the history and returns the post page's address.
    private static async Task<string> ScheduleAsync(IPage page, string text, string[] handles, string at)
    {
        await page.GotoAsync("/app/publishing");
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
        foreach (var handle in handles)
        {
            await page.GetByLabel("@" + handle).CheckAsync();
        }
        await page.GetByLabel("Schedule").CheckAsync();
        await page.GetByLabel("Date and time").FillAsync(at);
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        Assert.Contains("Scheduled", await page.Locator(".flash-success").TextContentAsync());
        await page.Locator("li.post-row", new() { HasText = text }).GetByRole(AriaRole.Link, new() { Name = "Open", Exact = true }).ClickAsync();
        await page.ArrivedAtAsync("**/app/publishing/posts/*");
        return page.Url;
    }

    // Publishes now from the composer and returns the new post's id, read off the newest row with that text.
    private static async Task<Guid> PublishNowAsync(IPage page, string text, string handle)
    {
        await page.GotoAsync("/app/publishing");
        await page.GetByLabel("Post", new() { Exact = true }).FillAsync(text);
        await page.GetByLabel("@" + handle).CheckAsync();
        await page.GetByLabel("Publish now").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Publish", Exact = true }).ClickAsync();
        Assert.Contains($"Queued for @{handle}", await page.Locator(".flash-success").TextContentAsync());
        return Guid.Parse((await page.Locator("li.post-row", new() { HasText = text }).First.GetAttributeAsync("data-post"))!);
    }

    private static Guid PostIdFromUrl(string url) =>
        Guid.Parse(new Uri(url).AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[3]);

    private static List<string> AcceptDialogs(IPage page)
    {
        var messages = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            messages.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        return messages;
    }

    private static Task<string[]> Handles(IPage page) =>
        page.Locator("#deliveries li.delivery").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.handle)");

    private static Task<string?> DeliveryState(IPage page, string handle) =>
        page.Locator($"#deliveries li.delivery[data-handle='{handle}']").GetAttributeAsync("data-state");

    private static async Task<string> Badge(IPage page, string handle) =>
        (await page.Locator($"#deliveries li.delivery[data-handle='{handle}'] .badge").TextContentAsync())!.Trim();

    // Reloads the post page until the channel reaches state or the time is up; returns the last state seen.
    private static async Task<string?> WaitForStateAsync(IPage page, string handle, string state, TimeSpan within)
    {
        var until = TimeProvider.System.GetUtcNow() + within;
        var seen = await DeliveryState(page, handle);
        while (seen != state && TimeProvider.System.GetUtcNow() < until)
        {
            await page.WaitForTimeoutAsync(500);
            await page.ReloadAsync();
            seen = await DeliveryState(page, handle);
        }
        return seen;
    }

    private async Task<List<DateTimeOffset>> DueTimesAsync(Guid postId)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        return await db.Deliveries.AsNoTracking().Where(d => d.PostId == postId).Select(d => d.DueAt).ToListAsync();
    }

    // What the sandbox's /sandbox/posts lists, as anyone looking at it would see it.
    private async Task<List<(string Id, string Text)>> SandboxListingAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync(app.SandboxAddress + "/sandbox/posts");
        Assert.True(response.Ok);
        var json = await response.JsonAsync();
        return json!.Value.EnumerateArray().Select(p => (p.GetProperty("id").GetString()!, p.GetProperty("text").GetString()!)).ToList();
    }

    // The sandbox's posts containing marker, oldest first, once there are count.
    private async Task<List<SandboxPost>> SandboxPostsAsync(IPage page, string marker, int count)
    {
        for (var i = 0; i < 80; i++)
        {
            var posts = Sandbox.Posts.Where(p => p.Text.Contains(marker, StringComparison.Ordinal))
                .OrderBy(p => long.Parse(p.Id, CultureInfo.InvariantCulture)).ToList();
            if (posts.Count >= count)
            {
                return posts;
            }
            await page.WaitForTimeoutAsync(250);
        }
        throw new TimeoutException($"The sandbox did not receive {count} posts containing '{marker}'.");
    }
}
