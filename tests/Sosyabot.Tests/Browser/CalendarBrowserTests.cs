using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Browser;

// The app on a real port with the XSandbox, both on one clock the test moves; the publisher runs when the test
// drains it, so "goes out at the new time" is checked at that time, not by waiting for a real one.
public sealed class CalendarApp : KestrelAppFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public WebApplication Sandbox { get; }

    public string SandboxAddress { get; private set; } = "";

    public CalendarApp()
    {
        Sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"],
            builder => builder.Services.AddSingleton<TimeProvider>(Clock));
    }

    public SandboxState SandboxState => Sandbox.Services.GetRequiredService<SandboxState>();

    public override async Task InitializeAsync()
    {
        await Sandbox.StartAsync();
        SandboxAddress = Sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        await base.InitializeAsync();
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["X_API_BASE_URL"] = SandboxAddress,
        ["X_AUTHORIZE_URL"] = SandboxAddress + "/i/oauth2/authorize",
        ["X_WEB_BASE_URL"] = SandboxAddress,
        ["PUBLISHER_ENABLED"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.UseFakeClock(Clock));
    }

    public override async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        await base.DisposeAsync();
    }
}

// The calendar in Chromium: a post dragged to another day goes out at its new time, the keyboard's Move… dialog
// does the same, and the README's screenshot of a month with posts in several states.
[Collection(BrowserCollection.Name)]
public sealed class CalendarBrowserTests(CalendarApp app, BrowserSession browser) : IClassFixture<CalendarApp>, IClassFixture<BrowserSession>
{
    private const string Zone = "Europe/Istanbul";
    private static readonly TimeZoneInfo Istanbul = TimeZoneInfo.FindSystemTimeZoneById(Zone);

    [Fact]
    public async Task Drag_PostToAnotherDay_GoesOutAtTheNewTimeAndNotBefore()
    {
        var (page, workspaceId, userId, channelId) = await UserAsync("drag");
        var today = LocalToday();
        var text = $"Dragged in the calendar {Marker()}";
        var post = await QueueAsync(workspaceId, userId, channelId, text, At(today.AddDays(1), 10, 30));
        await SeedOthersAsync(workspaceId, userId, channelId, today);

        await page.GotoAsync($"/app/calendar?view=dayGridMonth&date={today.AddDays(1):yyyy-MM-dd}");
        var source = page.Locator($"[data-post='{post}']");
        await Assertions.Expect(source).ToBeVisibleAsync();
        Assert.Contains("10:30", await source.TextContentAsync());
        Assert.Contains($"Times in {Zone} (your setting), 24-hour clock", await page.Locator("#calendar-zone").TextContentAsync());
        await BrowserSession.ScreenshotAsync(page, "80-calendar-month");
        await page.Locator("#calendar").ScreenshotAsync(new() { Path = Path.Combine(Repository.Root, "docs", "screenshots", "calendar.png") });

        var target = today.AddDays(3);
        await DragAsync(page, source, page.Locator($"[role='gridcell'][data-date='{target:yyyy-MM-dd}']").First);
        await Assertions.Expect(page.Locator("#calendar-status")).ToContainTextAsync($"Moved to {target:yyyy-MM-dd} 10:30 ({Zone})");
        var newTime = At(target, 10, 30);
        Assert.Equal(newTime, Assert.Single(await DueTimesAsync(post)));

        // The old day passes and the new time nears: nothing goes out before it.
        app.Clock.SetUtcNow(newTime - TimeSpan.FromMinutes(1));
        await app.Services.GetRequiredService<Publisher>().DrainAsync();
        Assert.DoesNotContain(app.SandboxState.Posts, p => p.Text == text);

        app.Clock.SetUtcNow(newTime + TimeSpan.FromSeconds(1));
        await app.Services.GetRequiredService<Publisher>().DrainAsync();
        var sent = Assert.Single(app.SandboxState.Posts, p => p.Text == text);
        Assert.Equal("sandbox_alice", sent.Account.Username);

        await page.GotoAsync($"/app/calendar?view=dayGridMonth&date={target:yyyy-MM-dd}");
        var published = page.Locator($"[data-post='{post}']");
        await Assertions.Expect(published).ToHaveAttributeAsync("data-kind", "published");
        await published.ClickAsync();
        await Assertions.Expect(page.Locator("#post-dialog-why")).ToContainTextAsync("already gone out on @sandbox_alice");
        Assert.True(await page.Locator("#move-form").IsHiddenAsync());
    }

    [Fact]
    public async Task Keyboard_EnterOnAPostThenMoveForm_MovesItAndARefusalIsShown()
    {
        var (page, workspaceId, userId, channelId) = await UserAsync("keyboard");
        var today = LocalToday();
        var text = $"Moved by keyboard {Marker()}";
        var post = await QueueAsync(workspaceId, userId, channelId, text, At(today.AddDays(2), 9, 0));

        await page.GotoAsync($"/app/calendar?view=timeGridWeek&date={today.AddDays(2):yyyy-MM-dd}");
        var item = page.Locator($"[data-post='{post}']");
        await item.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var dialog = page.Locator("#post-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#post-dialog-text")).ToHaveTextAsync(text);
        Assert.Equal($"{today.AddDays(2):yyyy-MM-dd}T09:00", await page.GetByLabel($"Move to ({Zone})").InputValueAsync());

        var later = today.AddDays(4);
        await page.GetByLabel($"Move to ({Zone})").FillAsync($"{later:yyyy-MM-dd}T16:45");
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator(".flash-success")).ToContainTextAsync($"Moved to {later:yyyy-MM-dd} 16:45 ({Zone})");
        Assert.Equal(At(later, 16, 45), Assert.Single(await DueTimesAsync(post)));

        // Into the past: the lifecycle's rule refuses it and says why.
        await page.GotoAsync($"/app/calendar?view=listWeek&date={later:yyyy-MM-dd}");
        await page.Locator($"[data-post='{post}']").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.GetByLabel($"Move to ({Zone})").FillAsync($"{today.AddDays(-1):yyyy-MM-dd}T08:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash-error")).ToContainTextAsync("The scheduled time is in the past.");
        Assert.Equal(At(later, 16, 45), Assert.Single(await DueTimesAsync(post)));
    }

    // A fresh user with the sandbox's Alice connected, who chose Istanbul time and a 24-hour clock.
    private async Task<(IPage Page, Guid WorkspaceId, string UserId, Guid ChannelId)> UserAsync(string name)
    {
        app.StartServer();
        var admin = await browser.NewPageAsync(app.Address);
        await LogInAsAdminAtAsync(admin, "/admin/api-integration/x-twitter");
        // The test moves the clock days ahead: the channel's token must be renewed rather than expire.
        await admin.Locator("#Input_LongLivedConnections").CheckAsync();
        await BrowserSession.SaveAndTestXCredentialsAsync(admin, "sandbox-client-id", "sandbox-client-secret");
        await admin.Context.CloseAsync();

        var page = await browser.NewPageAsync(app.Address, 1280, 1000);
        var email = $"calendar-{name}@sosyabot.test";
        await SandboxSteps.RegisterAsync(page, email, "calendar-password-123");
        await page.GotoAsync("/app/channels");
        await page.GetByRole(AriaRole.Button, new() { Name = "Connect → X (Twitter)" }).ClickAsync();
        await page.ArrivedAtAsync(app.SandboxAddress + "/i/oauth2/authorize**");
        await page.GetByLabel("Alice Sandbox").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Authorize app" }).ClickAsync();
        await page.ArrivedAtAsync(app.Address + "/app/channels");

        await page.GotoAsync("/app/settings/preferences");
        await page.GetByLabel("Your time zone").FillAsync(Zone);
        await page.GetByLabel("Your clock").SelectOptionAsync("24");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my settings" }).ClickAsync();
        await Assertions.Expect(page.Locator(".flash-success")).ToContainTextAsync("Your time zone and clock are saved.");

        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        var user = await db.Users.SingleAsync(u => u.Email == email);
        var channel = await db.Channels.Where(c => db.WorkspaceMembers.Any(m => m.UserId == user.Id && m.WorkspaceId == c.WorkspaceId))
            .SingleAsync(c => c.Handle == "sandbox_alice");
        return (page, channel.WorkspaceId, user.Id, channel.Id);
    }

    // Logs in as the admin on a page of its own (the fixture's clock stays put, so the session stays valid).
    private static async Task LogInAsAdminAtAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await BrowserSession.SubmitLoginAsync(page, SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);
        await page.ArrivedAtAsync("**" + path);
    }

    private async Task<Guid> QueueAsync(Guid workspaceId, string userId, Guid channelId, string text, DateTimeOffset at, bool draft = false)
    {
        using var scope = app.Services.CreateScope();
        var queue = scope.ServiceProvider.GetRequiredService<PublishingQueue>();
        var input = new PostDraft([text], [channelId], at, Zone);
        var post = draft
            ? await queue.SaveDraftAsync(workspaceId, userId, input, CancellationToken.None)
            : await queue.QueueAsync(workspaceId, userId, input, CancellationToken.None);
        return post.Id;
    }

    // A draft, a few scheduled posts and one published today, so that the month shows what a workspace looks like.
    private async Task SeedOthersAsync(Guid workspaceId, string userId, Guid channelId, DateOnly today)
    {
        await QueueAsync(workspaceId, userId, channelId, "Launch thread: what is new this week", At(today.AddDays(2), 9, 0));
        await QueueAsync(workspaceId, userId, channelId, "Reminder: the webinar starts in an hour", At(today.AddDays(5), 14, 0));
        await QueueAsync(workspaceId, userId, channelId, "Idea: a poll about release days", At(today.AddDays(4), 11, 0), draft: true);
        await QueueAsync(workspaceId, userId, channelId, "Good morning from the team", app.Clock.GetUtcNow());
        await app.Services.GetRequiredService<Publisher>().DrainAsync();
    }

    private static async Task DragAsync(IPage page, ILocator source, ILocator target)
    {
        var from = (await source.BoundingBoxAsync())!;
        var to = (await target.BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(from.X + from.Width / 2, from.Y + from.Height / 2);
        await page.Mouse.DownAsync();
        for (var step = 1; step <= 10; step++)
        {
            await page.Mouse.MoveAsync(
                from.X + from.Width / 2 + (to.X + to.Width / 2 - from.X - from.Width / 2) * step / 10,
                from.Y + from.Height / 2 + (to.Y + to.Height / 2 - from.Y - from.Height / 2) * step / 10);
            await page.WaitForTimeoutAsync(30);
        }
        await page.Mouse.UpAsync();
    }

    private DateOnly LocalToday() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(app.Clock.GetUtcNow(), Istanbul).DateTime);

    private static DateTimeOffset At(DateOnly day, int hour, int minute) =>
        new(TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(new TimeOnly(hour, minute)), Istanbul), TimeSpan.Zero);

    private static string Marker() => Guid.NewGuid().ToString("N")[..10];

    private async Task<List<DateTimeOffset>> DueTimesAsync(Guid postId)
    {
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SosyabotDbContext>();
        return await db.Deliveries.AsNoTracking().Where(d => d.PostId == postId).Select(d => d.DueAt).ToListAsync();
    }
}
