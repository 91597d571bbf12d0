using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.X;

/// <summary>
/// The one client for X's HTTP API. Every call X offers goes through here, so the endpoints (which X
/// has moved more than once) and the auth variants live in one place. Its base address is
/// X_API_BASE_URL; the web-session calls use X_WEB_BASE_URL.
/// </summary>
public sealed class XClient(HttpClient http, IOptions<XOptions> options, TimeProvider timeProvider)
{
    public async Task<XTokenResponse> ExchangeAuthorizationCodeAsync(
        XClientCredentials client, string code, string redirectUri, string codeVerifier, CancellationToken cancellationToken) =>
        await PostTokenAsync("/2/oauth2/token", client, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["code_verifier"] = codeVerifier,
        }, cancellationToken);

    public async Task<XTokenResponse> RefreshAsync(XClientCredentials client, string refreshToken, CancellationToken cancellationToken) =>
        await PostTokenAsync("/2/oauth2/token", client, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
        }, cancellationToken);

    public async Task RevokeAsync(XClientCredentials client, string token, string tokenTypeHint, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/oauth2/revoke")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = tokenTypeHint }),
        };
        request.Headers.Authorization = BasicAuthorization(client);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<XUserProfile> GetMeAsync(string accessToken, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/2/users/me?user.fields=profile_image_url");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<XUserProfile>>(cancellationToken);
        return body?.Data ?? throw new XApiException(response.StatusCode, "invalid_response", "X's /2/users/me answer had no user in it.");
    }

    /// <summary>
    /// Posts one tweet (a reply when <paramref name="inReplyToTweetId"/> is set, for the parts of a thread).
    /// Never retried here: only the caller knows whether a lost answer means the tweet exists.
    /// </summary>
    public async Task<XCreatedTweet> CreateTweetAsync(
        string accessToken, string text, string? inReplyToTweetId, IReadOnlyList<string>? mediaIds, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/tweets")
        {
            Content = JsonContent.Create(new CreateTweetRequest(
                text,
                inReplyToTweetId is null ? null : new ReplyTo(inReplyToTweetId),
                mediaIds is { Count: > 0 } ? new TweetMedia(mediaIds) : null)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<XTweet>>(cancellationToken);
        return new XCreatedTweet(body?.Data?.Id ?? throw new XApiException(response.StatusCode, "invalid_response", "X's answer to POST /2/tweets had no tweet id."),
            XRateLimits.From(response));
    }

    /// <summary>
    /// Uploads one file through X's v2 chunked media endpoints (initialize, append in 1 MB chunks,
    /// finalize), then sets its alt text. All of X's media endpoints are here and nowhere else, because
    /// X has moved them more than once. Returns X's media id and when X forgets it.
    /// </summary>
    public async Task<XUploadedMedia> UploadMediaAsync(
        string accessToken, byte[] bytes, string contentType, string? altText, CancellationToken cancellationToken)
    {
        var category = contentType == "image/gif" ? "tweet_gif" : "tweet_image";
        using var initialize = Authorized(HttpMethod.Post, "/2/media/upload/initialize", accessToken);
        initialize.Content = JsonContent.Create(new { media_type = contentType, total_bytes = bytes.Length, media_category = category });
        var started = await SendForDataAsync<MediaUpload>(initialize, cancellationToken);

        for (int offset = 0, segment = 0; offset < bytes.Length; offset += MediaChunkBytes, segment++)
        {
            using var append = Authorized(HttpMethod.Post, $"/2/media/upload/{Uri.EscapeDataString(started.Id)}/append", accessToken);
            var chunk = new ByteArrayContent(bytes, offset, Math.Min(MediaChunkBytes, bytes.Length - offset));
            chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            append.Content = new MultipartFormDataContent
            {
                { chunk, "media", "chunk" },
                { new StringContent(segment.ToString(System.Globalization.CultureInfo.InvariantCulture)), "segment_index" },
            };
            using var appended = await http.SendAsync(append, cancellationToken);
            await EnsureSuccessAsync(appended, cancellationToken);
        }

        using var finalize = Authorized(HttpMethod.Post, $"/2/media/upload/{Uri.EscapeDataString(started.Id)}/finalize", accessToken);
        var finalized = await SendForDataAsync<MediaUpload>(finalize, cancellationToken);
        var processing = finalized.ProcessingInfo;
        while (processing is { State: "pending" or "in_progress" })
        {
            await Task.Delay(TimeSpan.FromSeconds(Math.Clamp(processing.CheckAfterSecs ?? 1, 1, 30)), timeProvider, cancellationToken);
            using var status = Authorized(HttpMethod.Get, $"/2/media/upload?command=STATUS&media_id={Uri.EscapeDataString(started.Id)}", accessToken);
            processing = (await SendForDataAsync<MediaUpload>(status, cancellationToken)).ProcessingInfo;
        }
        if (processing is { State: "failed" })
        {
            throw new XApiException(System.Net.HttpStatusCode.UnprocessableEntity, "media_processing_failed", processing.Error?.Message ?? "X could not process the media.");
        }

        if (!string.IsNullOrWhiteSpace(altText))
        {
            using var metadata = Authorized(HttpMethod.Post, "/2/media/metadata", accessToken);
            metadata.Content = JsonContent.Create(new { id = started.Id, metadata = new { alt_text = new { text = altText } } });
            using var described = await http.SendAsync(metadata, cancellationToken);
            await EnsureSuccessAsync(described, cancellationToken);
        }
        return new XUploadedMedia(started.Id, timeProvider.GetUtcNow().AddSeconds(finalized.ExpiresAfterSecs ?? started.ExpiresAfterSecs ?? 86_400));
    }

    /// <summary>The account's own posts since <paramref name="since"/>, newest first: how a lost answer is reconciled.</summary>
    public async Task<IReadOnlyList<XTweet>> GetRecentTweetsAsync(string accessToken, string xUserId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var startTime = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/2/users/{Uri.EscapeDataString(xUserId)}/tweets?max_results=100&start_time={startTime}&tweet.fields=created_at");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<List<XTweet>>>(cancellationToken);
        return body?.Data ?? [];
    }

    /// <summary>
    /// Checks a browser session (the <c>auth_token</c> and <c>ct0</c> cookies) by asking X's web API who it
    /// belongs to, the way x.com's own pages do: the web client's public bearer, the cookies, and ct0
    /// echoed as the CSRF header.
    /// </summary>
    public async Task<XUserProfile> VerifyWebSessionAsync(string authToken, string ct0, CancellationToken cancellationToken)
    {
        var url = new Uri(new Uri(options.Value.WebBaseUrl), "/i/api/1.1/account/verify_credentials.json");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.WebClientBearerToken);
        request.Headers.Add("Cookie", $"auth_token={authToken}; ct0={ct0}");
        request.Headers.Add("x-csrf-token", ct0);
        request.Headers.Add("x-twitter-auth-type", "OAuth2Session");
        request.Headers.Add("x-twitter-active-user", "yes");
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var user = await response.Content.ReadFromJsonAsync<WebUser>(cancellationToken)
            ?? throw new XApiException(response.StatusCode, "invalid_response", "X's web API answered without a user.");
        return new XUserProfile(user.IdStr, user.ScreenName, user.Name, user.ProfileImageUrlHttps);
    }

    private async Task<XTokenResponse> PostTokenAsync(string path, XClientCredentials client, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = BasicAuthorization(client);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<XTokenResponse>(cancellationToken)
            ?? throw new XApiException(response.StatusCode, "invalid_response", "X's token endpoint answered without a token.");
    }

    // RFC 6749 section 2.3.1: the client id and secret are form-encoded before they are joined.
    private static AuthenticationHeaderValue BasicAuthorization(XClientCredentials client) =>
        new("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes(
            $"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(client.ClientSecret)}")));

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string? error = null, description = null;
        try
        {
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var root = json.RootElement;
            error = Text(root, "error") ?? Text(root, "title");
            description = Text(root, "error_description") ?? Text(root, "detail");
            if (error is null && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                description = Text(errors[0], "message");
            }
        }
        catch (JsonException)
        {
            // Not JSON (an HTML error page from a proxy, say): the status code alone has to do.
        }
        throw new XApiException(response.StatusCode, error, description, XRateLimits.From(response));
    }

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private const int MediaChunkBytes = 1024 * 1024;

    private static HttpRequestMessage Authorized(HttpMethod method, string path, string accessToken)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private async Task<T> SendForDataAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<T>>(cancellationToken);
        return body is { Data: { } data } ? data : throw new XApiException(response.StatusCode, "invalid_response", $"X's answer to {request.RequestUri} had no data.");
    }

    private sealed record CreateTweetRequest(
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("reply"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReplyTo? Reply,
        [property: JsonPropertyName("media"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TweetMedia? Media);

    private sealed record TweetMedia([property: JsonPropertyName("media_ids")] IReadOnlyList<string> MediaIds);

    private sealed record MediaUpload(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("expires_after_secs")] int? ExpiresAfterSecs,
        [property: JsonPropertyName("processing_info")] ProcessingInfo? ProcessingInfo);

    private sealed record ProcessingInfo(
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("check_after_secs")] int? CheckAfterSecs,
        [property: JsonPropertyName("error")] ProcessingError? Error);

    private sealed record ProcessingError([property: JsonPropertyName("message")] string? Message);

    private sealed record ReplyTo([property: JsonPropertyName("in_reply_to_tweet_id")] string InReplyToTweetId);

    private sealed record XData<T>([property: JsonPropertyName("data")] T? Data);

    private sealed record WebUser(
        [property: JsonPropertyName("id_str")] string IdStr,
        [property: JsonPropertyName("screen_name")] string ScreenName,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("profile_image_url_https")] string? ProfileImageUrlHttps);
}
