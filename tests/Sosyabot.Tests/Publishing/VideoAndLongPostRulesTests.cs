using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Publishing;

// What the composer and the API accept in a post with a video, and how long a post may be: 280 weighted
// characters, or 25,000 for a channel whose X subscription includes long posts, the strictest chosen channel deciding.
public sealed class VideoAndLongPostRulesTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private AgentWorkspace _workspace = null!;
    private Channel _standard = null!;
    private HttpClient _agent = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        _workspace = await AgentWorkspace.RegisterAsync(app);
        _standard = await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        _agent = AgentWorkspace.Agent(app, await _workspace.CreateTokenAsync("read", "write"));
    }

    public Task DisposeAsync()
    {
        _agent.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Compose_Mp4Video_SavedAsVideo()
    {
        var text = $"A clip {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, [_standard.Id], ("clip.mp4", "video/mp4", TestImages.Mp4(4000)));

        Assert.Contains("Queued for", shown.QuerySelector(".flash-success")?.TextContent);
        await using var db = app.Database.CreateDbContext();
        var media = await db.PostMedia.AsNoTracking().SingleAsync(m => db.Posts.Any(p => p.Id == m.PostId && p.Parts.Contains(text)));
        Assert.Equal(("clip.mp4", "video/mp4"), (media.FileName, media.ContentType));
    }

    [Theory]
    [InlineData("holiday.mov", "QuickTime", "holiday.mov is a QuickTime (.mov) video; X takes MP4 (H.264).")]
    [InlineData("screen.webm", "WebM", "screen.webm is a WebM or Matroska video; X takes MP4 (H.264).")]
    public async Task Compose_UnsupportedVideoFormat_RefusedNamingWhatIsAccepted(string name, string format, string message)
    {
        var text = $"A {format} video {Guid.NewGuid():N}";
        var bytes = format == "QuickTime" ? TestImages.QuickTime(3000) : TestImages.WebM(3000);

        var shown = await ComposeAsync(text, [_standard.Id], (name, "video/mp4", bytes));

        Assert.Contains(message, shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Api_QuickTimeVideo_Answers400NamingMp4()
    {
        var text = $"A .mov by API {Guid.NewGuid():N}";

        using var response = await PostByApiAsync(_standard.Id, text, ("clip.mov", TestImages.QuickTime(3000)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("clip.mov is a QuickTime (.mov) video; X takes MP4 (H.264).", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Compose_VideoOverTheLimit_RefusedWithItsSizeAndTheLimit()
    {
        var text = $"A long video {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, [_standard.Id], ("long.mp4", "video/mp4", TestImages.Mp4(ImageContent.MaxVideoBytes + 1)));

        Assert.Contains("long.mp4 is 20.0 MB; Sosyabot takes MP4 videos up to 20 MB (X itself takes up to 512 MB).",
            shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Compose_VideoWithAnImage_RefusedAsXRefusesIt()
    {
        var text = $"A video and a photo {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, [_standard.Id], ("clip.mp4", "video/mp4", TestImages.Mp4(3000)), ("still.png", "image/png", TestImages.OnePixelPng));

        Assert.Contains("A video goes alone: X takes one video, one GIF or up to 4 images in a post.",
            shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task VideoForCookieChannel_ApiAnswers403AndComposerGreysItOutWithTheReason()
    {
        var cookie = await ConnectAnotherAsync(c => c.Kind = ChannelKind.Cookie);
        var text = $"A video for a cookie channel {Guid.NewGuid():N}";

        using var response = await PostByApiAsync(cookie.Id, text, ("clip.mp4", TestImages.Mp4(3000)));
        var shown = await ComposeAsync(text, [cookie.Id], ("clip.mp4", "video/mp4", TestImages.Mp4(3000)));

        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, problem);
        Assert.Contains("Sosyabot does not send videos through x.com's web path", problem);
        Assert.Contains("Sosyabot does not send videos through x.com's web path", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
        var box = shown.QuerySelector($"input[name='Compose.ChannelIds'][value='{cookie.Id}']")!;
        Assert.Equal(ChannelAbility.NoVideo, box.GetAttribute("data-no-video"));
        Assert.True(string.IsNullOrEmpty(shown.QuerySelector($"input[name='Compose.ChannelIds'][value='{_standard.Id}']")!.GetAttribute("data-no-video")));
    }

    [Fact]
    public async Task Connect_UsersMeSaysPremium_ChannelStoresItAndTheComposerOffersLongPosts()
    {
        var keys = ByokKeys.NewReadWrite();
        app.X.Given(Request.Create().WithPath("/2/users/me").UsingGet()
                .WithHeader("Authorization", $"*oauth_token=\"{keys.AccessToken}\"*")).AtPriority(-1)
            .RespondWith(Response.Create().WithBodyAsJson(new
            {
                data = new { id = keys.XUserId, username = keys.Username, name = "Premium " + keys.Username, subscription_type = "Premium" },
            }));

        var premium = await _workspace.ConnectApiKeysAsync(keys);
        var page = await _workspace.User.GetDocumentAsync("/app/publishing");

        Assert.Equal("Premium", premium.SubscriptionType);
        Assert.Contains(app.X.LogEntries, e => e.RequestMessage.Path == "/2/users/me"
            && Uri.UnescapeDataString(e.RequestMessage.Url).Contains("user.fields=profile_image_url,subscription_type", StringComparison.Ordinal));
        Assert.Equal("25000", page.QuerySelector($"input[name='Compose.ChannelIds'][value='{premium.Id}']")!.GetAttribute("data-max-length"));
        Assert.Equal("280", page.QuerySelector($"input[name='Compose.ChannelIds'][value='{_standard.Id}']")!.GetAttribute("data-max-length"));
        Assert.Contains("long posts: 25,000 characters", page.QuerySelector($"input[value='{premium.Id}']")!.ParentElement!.TextContent);
    }

    [Fact]
    public async Task LongPost_QueuedForPremiumRefusedForStandardAndForBothNamingTheStandardChannel()
    {
        var premium = await ConnectAnotherAsync(c => c.SubscriptionType = "PremiumPlus");
        var text = string.Join(' ', Enumerable.Repeat("words", 200)) + $" {Guid.NewGuid():N}";

        using var toPremium = await PostByApiAsync(premium.Id, text);
        using var toStandard = await PostByApiAsync(_standard.Id, text + " again");
        var toBoth = await ComposeAsync(text + " both", [premium.Id, _standard.Id]);

        Assert.True(toPremium.StatusCode == HttpStatusCode.Accepted, await toPremium.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, toStandard.StatusCode);
        Assert.Contains("is 1,238 characters as X counts them; the limit is 280. Shorten it or split it into a thread.",
            await toStandard.Content.ReadAsStringAsync());
        var problems = toBoth.QuerySelector(".validation-summary-errors")!.TextContent;
        Assert.True(problems.Contains($"the limit is 280 because @{_standard.Handle} has no X subscription with long posts.", StringComparison.Ordinal),
            problems);
    }

    [Fact]
    public async Task LongPost_OverTwentyFiveThousand_RefusedEvenForPremium()
    {
        var premium = await ConnectAnotherAsync(c => c.SubscriptionType = "Premium");

        using var response = await PostByApiAsync(premium.Id, new string('a', ChannelAbility.LongPostLength + 1));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("far over the limit of 25,000 characters as X counts them", await response.Content.ReadAsStringAsync());
    }

    // Another API-keys channel in the workspace, then changed as the test needs (a cookie channel, a subscription).
    private async Task<Channel> ConnectAnotherAsync(Action<Channel> change)
    {
        var channel = await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite());
        await using var db = app.Database.CreateDbContext();
        var tracked = await db.Channels.SingleAsync(c => c.Id == channel.Id);
        change(tracked);
        await db.SaveChangesAsync();
        return tracked;
    }

    private async Task<AngleSharp.Dom.IDocument> ComposeAsync(string text, Guid[] channelIds, params (string Name, string Type, byte[] Bytes)[] files)
    {
        var page = await _workspace.User.GetDocumentAsync("/app/publishing");
        var values = new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = text,
            ["Compose.Action"] = ComposeInput.ActionPublish,
        };
        for (var i = 0; i < channelIds.Length; i++)
        {
            values[$"Compose.ChannelIds[{i}]"] = channelIds[i].ToString();
        }
        using var response = await _workspace.User.SubmitWithFilesAsync(page, "#publish", values,
            files.Select(f => ("Compose.Images", f.Name, (HttpContent)Typed(new ByteArrayContent(f.Bytes), f.Type))));
        return await HtmlForms.ParseAsync(response);
    }

    private static ByteArrayContent Typed(ByteArrayContent content, string type)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private Task<HttpResponseMessage> PostByApiAsync(Guid channelId, string text, params (string Name, byte[] Bytes)[] files) =>
        _agent.PostAsJsonAsync($"/api/v1/channels/{channelId}/posts", new
        {
            text,
            media = files.Length == 0 ? null : files.Select(f => new { data = Convert.ToBase64String(f.Bytes), file_name = f.Name }).ToArray(),
        });

    private async Task<int> PostsWithAsync(string text)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Posts.CountAsync(p => p.Parts.Contains(text));
    }
}
