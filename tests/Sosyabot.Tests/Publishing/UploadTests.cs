using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Agents;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Publishing;

// Uploads are judged by their bytes, not by the name or type they arrive with, and a workspace keeps no more
// images than its quota: through the composer and the agent API alike.
public sealed class UploadTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>, IAsyncLifetime
{
    private static readonly byte[] Text = "Meeting notes, not a picture. Renamed to .png by mistake."u8.ToArray();

    private AgentWorkspace _workspace = null!;
    private Guid _channelId;
    private HttpClient _agent = null!;

    public async Task InitializeAsync()
    {
        app.X.Reset();
        _workspace = await AgentWorkspace.RegisterAsync(app);
        _channelId = (await _workspace.ConnectApiKeysAsync(ByokKeys.NewReadWrite())).Id;
        _agent = AgentWorkspace.Agent(app, await _workspace.CreateTokenAsync("read", "write"));
    }

    public Task DisposeAsync()
    {
        _agent.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Compose_RenamedTextFile_RefusedNamingTheFileAndNothingSaved()
    {
        var text = $"A renamed text file {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, draft: false, ("photo.png", "image/png", Text));

        Assert.Contains("photo.png is not a PNG, JPEG, GIF or WEBP image.", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Api_RenamedTextFile_Answers400NamingTheFileAndNothingSaved()
    {
        var text = $"A renamed text file by API {Guid.NewGuid():N}";

        using var response = await PostByApiAsync(text, "notes.png", "image/png", Text);

        var problem = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, problem);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("notes.png is not a PNG, JPEG, GIF or WEBP image.", problem);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Compose_PngDeclaredAsGif_StoredAsPng()
    {
        var text = $"A PNG that says it is a GIF {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, draft: true, ("animation.gif", "image/gif", TestImages.OnePixelPng));

        Assert.Contains("Draft saved", shown.QuerySelector(".flash-success")?.TextContent);
        var stored = await MediaOfAsync(text);
        Assert.Equal(("animation.gif", "image/png", TestImages.OnePixelPng.Length), (stored.FileName, stored.ContentType, stored.Length));
    }

    [Fact]
    public async Task Api_PngDeclaredAsGif_StoredAsPng()
    {
        var text = $"A PNG posted as a GIF {Guid.NewGuid():N}";

        using var response = await PostByApiAsync(text, "by-agent.gif", "image/gif", TestImages.OnePixelPng, draft: true);

        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        Assert.Equal("image/png", (await MediaOfAsync(text)).ContentType);
    }

    [Fact]
    public async Task Compose_GifWithAnotherImage_RefusedAsXRefusesIt()
    {
        var gif = "GIF89a"u8.ToArray().Concat(new byte[100]).ToArray();
        var text = $"A GIF and a photo {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, draft: true, ("moving.gif", "image/gif", gif), ("still.png", "image/png", TestImages.OnePixelPng));

        Assert.Contains("A GIF goes alone", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Compose_ImageOverXsLimit_RefusedWithItsSizeAndTheLimit()
    {
        var text = $"Too large {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, draft: true, ("huge.jpg", "image/jpeg", TestImages.Jpeg(ImageContent.MaxImageBytes + 1)));

        Assert.Contains("huge.jpg is 5.0 MB; X takes images up to 5 MB.", shown.QuerySelector(".validation-summary-errors")!.TextContent);
        Assert.Equal(0, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Upload_OverWorkspaceQuota_RefusedSayingWhatIsUsedAndHowToFreeSpace_ThenDeletingTheDraftFreesIt()
    {
        // A draft whose image the quota counts at the whole default limit (1024 MB): the sum is of stored lengths.
        var filler = await SeedDraftWithMediaAsync(length: 1024 * 1024 * 1024);
        var text = $"Over the quota {Guid.NewGuid():N}";

        var shown = await ComposeAsync(text, draft: true, ("one-more.png", "image/png", TestImages.OnePixelPng));
        using var byApi = await PostByApiAsync(text, "one-more.png", "image/png", TestImages.OnePixelPng, draft: true);

        var message = shown.QuerySelector(".validation-summary-errors")!.TextContent;
        Assert.Contains("would take the workspace over its storage limit: 1,024.0 MB of 1,024.0 MB is in use", message);
        Assert.Contains("delete drafts or cancel scheduled posts", message);
        Assert.Contains("WORKSPACE_MEDIA_QUOTA_MB", message);
        Assert.Equal(HttpStatusCode.BadRequest, byApi.StatusCode);
        Assert.Contains("over its storage limit", await byApi.Content.ReadAsStringAsync());
        Assert.Equal(0, await PostsWithAsync(text));

        var draftPage = await _workspace.User.GetDocumentAsync($"/app/publishing/posts/{filler}");
        using var deleted = await _workspace.User.SubmitAsync(draftPage, "#delete-draft");
        var again = await ComposeAsync(text, draft: true, ("one-more.png", "image/png", TestImages.OnePixelPng));

        Assert.Contains("Draft saved", again.QuerySelector(".flash-success")?.TextContent);
        Assert.Equal(1, await PostsWithAsync(text));
    }

    [Fact]
    public async Task Cancel_ScheduledPostWithImage_DropsItsBytesSoTheyNoLongerCount()
    {
        var text = $"Scheduled, then cancelled {Guid.NewGuid():N}";
        using var queued = await PostByApiAsync(text, "photo.png", "image/png", TestImages.Png(1000), scheduledAt: app.Clock.GetUtcNow().AddDays(1));
        Assert.True(queued.StatusCode == HttpStatusCode.Accepted, await queued.Content.ReadAsStringAsync());
        var postId = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        using var cancelled = await _agent.DeleteAsync($"/api/v1/posts/{postId}");

        Assert.True(cancelled.IsSuccessStatusCode, await cancelled.Content.ReadAsStringAsync());
        await using var db = app.Database.CreateDbContext();
        var media = await db.PostMedia.AsNoTracking().Where(m => m.PostId == Guid.Parse(postId!)).SingleAsync();
        Assert.Null(media.Bytes);

        // Edited to go out again, it could never upload the image: the edit is refused and says why.
        using var edited = await _agent.PatchAsJsonAsync($"/api/v1/posts/{postId}", new { text = text + " again", channel_ids = new[] { _channelId } });
        Assert.Equal(HttpStatusCode.BadRequest, edited.StatusCode);
        Assert.Contains("photo.png is no longer kept", await edited.Content.ReadAsStringAsync());
    }

    private async Task<AngleSharp.Dom.IDocument> ComposeAsync(string text, bool draft, params (string Name, string Type, byte[] Bytes)[] files)
    {
        var page = await _workspace.User.GetDocumentAsync("/app/publishing");
        var values = new Dictionary<string, string>
        {
            ["Compose.Parts[0]"] = text,
            ["Compose.ChannelIds"] = _channelId.ToString(),
            ["Compose.Action"] = draft ? ComposeInput.ActionDraft : ComposeInput.ActionPublish,
        };
        using var response = await _workspace.User.SubmitWithFilesAsync(page, "#publish", values,
            files.Select(f => ("Compose.Images", f.Name, (HttpContent)WithType(new ByteArrayContent(f.Bytes), f.Type))));
        return await HtmlForms.ParseAsync(response);
    }

    private static ByteArrayContent WithType(ByteArrayContent content, string type)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private Task<HttpResponseMessage> PostByApiAsync(
        string text, string fileName, string declaredType, byte[] bytes, bool draft = false, DateTimeOffset? scheduledAt = null) =>
        _agent.PostAsJsonAsync($"/api/v1/channels/{_channelId}/posts", new
        {
            text,
            media = new[] { new { content_type = declaredType, data = Convert.ToBase64String(bytes), file_name = fileName } },
            draft,
            scheduled_at = scheduledAt,
        });

    private async Task<int> PostsWithAsync(string text)
    {
        await using var db = app.Database.CreateDbContext();
        return await db.Posts.CountAsync(p => p.Parts.Contains(text));
    }

    private async Task<PostMedia> MediaOfAsync(string text)
    {
        await using var db = app.Database.CreateDbContext();
        var postId = await db.Posts.Where(p => p.Parts.Contains(text)).Select(p => p.Id).SingleAsync();
        return await db.PostMedia.AsNoTracking().SingleAsync(m => m.PostId == postId);
    }

    private async Task<Guid> SeedDraftWithMediaAsync(int length)
    {
        await using var db = app.Database.CreateDbContext();
        var channel = await db.Channels.AsNoTracking().SingleAsync(c => c.Id == _channelId);
        var post = new Post
        {
            WorkspaceId = channel.WorkspaceId, CreatedByUserId = "seed", CreatedAt = app.Clock.GetUtcNow(), DueAt = app.Clock.GetUtcNow(),
            Parts = ["A draft holding a large image"], IsDraft = true,
        };
        post.Media.Add(new PostMedia { FileName = "large.png", ContentType = "image/png", Bytes = TestImages.Png(16), Length = length });
        db.Posts.Add(post);
        await db.SaveChangesAsync();
        return post.Id;
    }
}
