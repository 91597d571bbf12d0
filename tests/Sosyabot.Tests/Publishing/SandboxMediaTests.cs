using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sosyabot.Web.X;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Publishing;

// The XSandbox processes videos as X does (a post may not carry one before STATUS says succeeded), holds chunks
// to 1 MB, and takes long posts only from accounts whose subscription includes them.
public sealed class SandboxMediaTests : IAsyncLifetime
{
    private const string AliceToken = "alice-media-token";
    private const string CarolToken = "carol-media-token";
    private readonly WebApplication _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    private static readonly SandboxAccount Alice = SandboxState.Accounts[0];
    private static readonly SandboxAccount Carol = SandboxState.Accounts[2];
    private HttpClient _http = null!;
    private XClient _x = null!;
    private SandboxState _state = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        _state = _sandbox.Services.GetRequiredService<SandboxState>();
        _state.AccessTokens[AliceToken] = new AccessToken(new Grant(Alice, "tweet.read tweet.write users.read"), DateTimeOffset.MaxValue);
        _state.AccessTokens[CarolToken] = new AccessToken(new Grant(Carol, "tweet.read tweet.write users.read"), DateTimeOffset.MaxValue);
        var address = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        _http = new HttpClient { BaseAddress = address };
        _x = new XClient(new HttpClient(new XRequestSigner(TimeProvider.System) { InnerHandler = new HttpClientHandler() }) { BaseAddress = address },
            Options.Create(new XOptions()), TimeProvider.System);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task CreateTweet_VideoStillProcessing_Refused400AsXDoesThenAcceptedOnceSucceeded()
    {
        var video = TestImages.Mp4(1500);
        var id = await StartAsync(AliceToken, "video/mp4", video.Length, "tweet_video");
        using (var append = await AppendAsync(AliceToken, id, 0, video))
        {
            Assert.Equal(HttpStatusCode.OK, append.StatusCode);
        }
        var finalized = await SendJsonAsync(AliceToken, HttpMethod.Post, $"/2/media/upload/{id}/finalize");
        Assert.Equal("pending", finalized.GetProperty("data").GetProperty("processing_info").GetProperty("state").GetString());
        Assert.Equal(1, finalized.GetProperty("data").GetProperty("processing_info").GetProperty("check_after_secs").GetInt32());

        using var early = await TweetAsync(AliceToken, new { text = $"Too early {Guid.NewGuid():N}", media = new { media_ids = new[] { id } } });

        Assert.Equal(HttpStatusCode.BadRequest, early.StatusCode);
        var refusal = await early.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Your media IDs are invalid.", refusal.GetProperty("detail").GetString());
        Assert.Equal("Your media IDs are invalid.", refusal.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(1, _state.MediaNotReadyRefusals);

        var states = new List<string>();
        for (var i = 0; i < 40 && states.LastOrDefault() != "succeeded"; i++)
        {
            await Task.Delay(250);
            var status = await SendJsonAsync(AliceToken, HttpMethod.Get, $"/2/media/upload?command=STATUS&media_id={id}");
            var info = status.GetProperty("data").GetProperty("processing_info");
            var state = info.GetProperty("state").GetString()!;
            if (states.LastOrDefault() != state)
            {
                states.Add(state);
            }
            if (state == "in_progress")
            {
                Assert.InRange(info.GetProperty("progress_percent").GetInt32(), 1, 99);
            }
        }
        Assert.Equal(["pending", "in_progress", "succeeded"], states.Prepend("pending").Distinct());

        using var ready = await TweetAsync(AliceToken, new { text = $"With a processed video {Guid.NewGuid():N}", media = new { media_ids = new[] { id } } });
        Assert.Equal(HttpStatusCode.Created, ready.StatusCode);
    }

    [Fact]
    public async Task UploadMedia_NotAVideoAsTweetVideo_ProcessingFailsWithXsErrorAndTheClientSaysSo()
    {
        var refused = await Assert.ThrowsAsync<XApiException>(() =>
            _x.UploadMediaAsync(new XAuth.Bearer(AliceToken), TestImages.Png(2000), "video/mp4", null, CancellationToken.None));

        Assert.Equal("media_processing_failed", refused.Error);
        Assert.Equal("X could not process the video: Unsupported video format.", refused.Description);
    }

    [Fact]
    public async Task UploadMedia_VideoThroughXClient_WaitsForProcessingAndTheTweetIsAccepted()
    {
        var video = TestImages.Mp4((2 * 1024 * 1024) + 100);

        var uploaded = await _x.UploadMediaAsync(new XAuth.Bearer(AliceToken), video, "video/mp4", null, CancellationToken.None);
        var created = await _x.CreateTweetAsync(new XAuth.Bearer(AliceToken),
            new XTweetDraft($"Video through the client {Guid.NewGuid():N}", MediaIds: [uploaded.MediaId]), CancellationToken.None);

        var media = _state.Media[uploaded.MediaId];
        Assert.Equal("tweet_video", media.Category);
        Assert.Equal("succeeded", media.ProcessingState);
        Assert.Equal([1024 * 1024, 1024 * 1024, 100], media.Segments.OrderBy(s => s.Key).Select(s => s.Value));
        Assert.Equal(0, _state.MediaNotReadyRefusals);
        Assert.Contains(_state.Posts, p => p.Id == created.Id && p.MediaIds.Contains(uploaded.MediaId));
    }

    [Fact]
    public async Task Append_ChunkOverOneMegabyte_Refused()
    {
        var video = TestImages.Mp4((1024 * 1024) + 1);
        var id = await StartAsync(AliceToken, "video/mp4", video.Length, "tweet_video");

        using var append = await AppendAsync(AliceToken, id, 0, video);

        Assert.Equal(HttpStatusCode.BadRequest, append.StatusCode);
        Assert.Contains("at most 1048576 bytes", await append.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Finalize_ChunksShortOfTotalBytes_Refused()
    {
        var id = await StartAsync(AliceToken, "video/mp4", 5000, "tweet_video");
        using (await AppendAsync(AliceToken, id, 0, TestImages.Mp4(4000)))
        {
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2/media/upload/{id}/finalize");
        request.Headers.Authorization = new("Bearer", AliceToken);
        using var finalize = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, finalize.StatusCode);
        Assert.Contains("total_bytes", await finalize.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CreateTweet_LongPost_RefusedWithoutSubscriptionAndServedAsNoteTweetForPremium()
    {
        var text = string.Join(' ', Enumerable.Repeat("long", 100)) + $" {Guid.NewGuid():N}";

        using var standard = await TweetAsync(AliceToken, new { text });
        Assert.Equal(HttpStatusCode.Forbidden, standard.StatusCode);
        Assert.Contains("Your Tweet text is too long.", (await standard.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());

        using var premium = await TweetAsync(CarolToken, new { text });
        Assert.Equal(HttpStatusCode.Created, premium.StatusCode);
        var tweet = Assert.Single(await _x.GetRecentTweetsAsync(new XAuth.Bearer(CarolToken), Carol.Id, DateTimeOffset.UtcNow.AddMinutes(-1), CancellationToken.None));
        Assert.Equal(text, tweet.NoteTweet!.Text);
        Assert.EndsWith("…", tweet.Text);
        Assert.True(Sosyabot.Web.Publishing.SentTextMatch.IsSameText(text, tweet));
    }

    [Fact]
    public async Task UsersMe_WithSubscriptionTypeField_SaysEachAccountsSubscription()
    {
        Assert.Equal("Premium", (await _x.GetMeAsync(new XAuth.Bearer(CarolToken), CancellationToken.None)).SubscriptionType);
        Assert.Equal("None", (await _x.GetMeAsync(new XAuth.Bearer(AliceToken), CancellationToken.None)).SubscriptionType);
    }

    private async Task<string> StartAsync(string token, string type, long totalBytes, string category) =>
        (await SendJsonAsync(token, HttpMethod.Post, "/2/media/upload/initialize",
            new { media_type = type, total_bytes = totalBytes, media_category = category })).GetProperty("data").GetProperty("id").GetString()!;

    private async Task<HttpResponseMessage> AppendAsync(string token, string id, int segment, byte[] chunk)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2/media/upload/{id}/append")
        {
            Content = new MultipartFormDataContent
            {
                { new ByteArrayContent(chunk), "media", "chunk" },
                { new StringContent(segment.ToString(System.Globalization.CultureInfo.InvariantCulture)), "segment_index" },
            },
        };
        request.Headers.Authorization = new("Bearer", token);
        return await _http.SendAsync(request);
    }

    private async Task<HttpResponseMessage> TweetAsync(string token, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/tweets") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        return await _http.SendAsync(request);
    }

    private async Task<JsonElement> SendJsonAsync(string token, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", token);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
