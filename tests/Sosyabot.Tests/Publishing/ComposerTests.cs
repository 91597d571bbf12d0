using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Channels;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Publishing;

public sealed class ComposerTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private BrowserClient _user = null!;
    private string _channelId = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app);
        var xUserId = Random.Shared.NextInt64(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        app.GivenTokenEndpointIssues("composer-token", expiresIn: 86_400);
        app.GivenUsersMe(xUserId, "composer_" + xUserId);
        _user = await app.RegisterAsync($"composer-{Guid.NewGuid():N}@sosyabot.test");
        await XConnectFlow.ConnectAsync(_user);
        var page = await _user.GetDocumentAsync("/app/publishing");
        _channelId = page.QuerySelector("input[name='Compose.ChannelIds']")!.GetAttribute("value")!;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("", "Write something to post.")]
    [InlineData("   ", "Write something to post.")]
    [InlineData("LONG", "is 290 characters as X counts them; the limit is 280.")]
    [InlineData("CJK", "is 282 characters as X counts them")]
    public async Task Publish_BadText_ShowsWhyAndQueuesNothing(string text, string expected)
    {
        text = text switch { "LONG" => new string('x', 290), "CJK" => new string('の', 141), _ => text };

        var page = await SubmitAsync(new() { ["Compose.Parts[0]"] = text, ["Compose.ChannelIds"] = _channelId });

        Assert.Contains(expected, page.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsAsync());
    }

    [Fact]
    public async Task Publish_ChannelOfAnotherWorkspace_IsRefusedAndQueuesNothing()
    {
        var other = await app.RegisterAsync($"other-{Guid.NewGuid():N}@sosyabot.test");
        var before = await PostsAsync();
        var page = await other.GetDocumentAsync("/app/publishing");

        using var response = await other.SubmitAsync(page, "#publish", new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = "Trying to post to somebody else's account",
            ["Compose.ChannelIds"] = _channelId,
        });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("not in this workspace", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(before, await PostsAsync());
    }

    [Fact]
    public async Task Publish_ChannelConnectedWithoutTweetWrite_IsGreyedOutAndRefusedAsTheApiRefusesIt()
    {
        var channelId = Guid.Parse(_channelId);
        await using (var db = app.Database.CreateDbContext())
        {
            await db.Channels.Where(c => c.Id == channelId).ExecuteUpdateAsync(u => u.SetProperty(c => c.Scopes, "tweet.read users.read offline.access"));
        }

        var composer = await _user.GetDocumentAsync("/app/publishing");
        var choice = composer.QuerySelector($"input[name='Compose.ChannelIds'][value='{_channelId}']")!;
        Assert.True(choice.HasAttribute("disabled"));
        Assert.Contains("no tweet.write permission", choice.ParentElement!.TextContent);

        // A form sent anyway (an old tab, a hand-made request) meets the same rule.
        var page = await SubmitAsync(new() { ["Compose.Parts[0]"] = "Without permission to post", ["Compose.ChannelIds"] = _channelId });

        Assert.Contains("was connected without X's tweet.write permission. Reconnect it", page.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsAsync());
    }

    [Fact]
    public async Task Schedule_LocalTimeInUsersZone_IsStoredInUtcAndShownInTheZone()
    {
        var local = app.Clock.GetUtcNow().AddDays(2);
        var istanbul = TimeZoneInfo.FindSystemTimeZoneById("Europe/Istanbul");
        var wallClock = TimeZoneInfo.ConvertTime(local, istanbul).DateTime;

        var page = await SubmitAsync(new()
        {
            ["Compose.Parts[0]"] = "Scheduled in Istanbul",
            ["Compose.ChannelIds"] = _channelId,
            ["Compose.When"] = "schedule",
            ["Compose.ScheduledLocal"] = wallClock.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
            ["Compose.TimeZone"] = "Europe/Istanbul",
        });

        Assert.Contains("Scheduled for @composer_", page.QuerySelector(".flash-success")!.TextContent);
        await using var db = app.Database.CreateDbContext();
        var post = await db.Posts.SingleAsync(p => p.Parts[0] == "Scheduled in Istanbul");
        var expectedUtc = TimeZoneInfo.ConvertTimeToUtc(
            DateTime.SpecifyKind(new DateTime(wallClock.Ticks - wallClock.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified), istanbul);
        Assert.Equal(expectedUtc, post.DueAt.UtcDateTime);
        Assert.Contains($"at {TimeZoneInfo.ConvertTime(post.DueAt, istanbul):yyyy-MM-dd HH:mm} (Europe/Istanbul)",
            page.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal(DeliveryStates.Queued, page.QuerySelector("li.delivery[data-state]")!.GetAttribute("data-state"));
    }

    [Fact]
    public async Task Schedule_UnknownTimeZone_SaysSo()
    {
        var page = await SubmitAsync(new()
        {
            ["Compose.Parts[0]"] = "Bad zone",
            ["Compose.ChannelIds"] = _channelId,
            ["Compose.When"] = "schedule",
            ["Compose.ScheduledLocal"] = "2030-01-01T10:00",
            ["Compose.TimeZone"] = "Mars/Olympus_Mons",
        });

        Assert.Contains("Unknown time zone", page.QuerySelector(".validation-summary-errors")!.TextContent);
    }

    private async Task<AngleSharp.Dom.IDocument> SubmitAsync(Dictionary<string, string> values)
    {
        var page = await _user.GetDocumentAsync("/app/publishing");
        using var response = await _user.SubmitAsync(page, "#publish", values);
        return await HtmlForms.ParseAsync(response);
    }

    // Posts for this test's own channel: other tests of the class share the database and post too.
    private async Task<int> PostsAsync()
    {
        var channelId = Guid.Parse(_channelId);
        await using var db = app.Database.CreateDbContext();
        return await db.Posts.CountAsync(p => p.Deliveries.Any(d => d.ChannelId == channelId) || p.DraftChannelIds.Contains(channelId));
    }
}
