using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.X;

// The one client for X's HTTP API. Every call X offers goes through here, so the endpoints (which X
// has moved more than once) and the auth variants live in one place. Its base address is
// X_API_BASE_URL; the web-session calls use X_WEB_BASE_URL.
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
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiPath("/2/oauth2/revoke"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = tokenTypeHint }),
        };
        request.Headers.Authorization = BasicAuthorization(client);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
    }

    public async Task<XUserProfile> GetMeAsync(XAuth auth, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, "/2/users/me?user.fields=profile_image_url,subscription_type", auth);
        return await SendForDataAsync<XUserProfile>(request, cancellationToken);
    }

    // Looks an account up by its @handle (an app-only bearer is enough).
    public async Task<XUserProfile> GetUserByUsernameAsync(XAuth auth, string username, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Get, $"/2/users/by/username/{Uri.EscapeDataString(username)}?user.fields=profile_image_url", auth);
        return await SendForDataAsync<XUserProfile>(request, cancellationToken);
    }

    // Posts one tweet (a reply to the previous part for the parts of a thread).
    // Never retried here: only the caller knows whether a lost answer means the tweet exists.
    public async Task<XCreatedTweet> CreateTweetAsync(XAuth auth, XTweetDraft draft, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Post, "/2/tweets", auth);
        request.Content = JsonContent.Create(new CreateTweetRequest(
            draft.Text,
            draft.InReplyToTweetId is null ? null : new ReplyTo(draft.InReplyToTweetId),
            draft.QuoteTweetId,
            draft.MediaIds is { Count: > 0 } ? new TweetMedia(draft.MediaIds) : null));
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<XTweet>>(cancellationToken);
        return new XCreatedTweet(
            body?.Data?.Id ?? throw new XApiException(response.StatusCode, "invalid_response", "X's answer to POST /2/tweets had no tweet id."),
            XRateLimits.From(response));
    }

    // Uploads one file through X's v2 chunked media endpoints (initialize, append in 1 MB chunks,
    // finalize), waits for X to process it when X says it must (GIFs and videos), then sets its alt text.
    // All of X's media endpoints are here and nowhere else, because X has moved them more than once.
    // Returns X's media id and when X forgets it.
    public async Task<XUploadedMedia> UploadMediaAsync(
        XAuth auth, byte[] bytes, string contentType, string? altText, CancellationToken cancellationToken)
    {
        var category = MediaCategory(contentType);
        using var initialize = Authorized(HttpMethod.Post, "/2/media/upload/initialize", auth);
        initialize.Content = JsonContent.Create(new { media_type = contentType, total_bytes = bytes.Length, media_category = category });
        var started = await SendForDataAsync<MediaUpload>(initialize, cancellationToken);

        for (int offset = 0, segment = 0; offset < bytes.Length; offset += MediaChunkBytes, segment++)
        {
            using var append = Authorized(HttpMethod.Post, $"/2/media/upload/{Uri.EscapeDataString(started.Id)}/append", auth);
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

        using var finalize = Authorized(HttpMethod.Post, $"/2/media/upload/{Uri.EscapeDataString(started.Id)}/finalize", auth);
        var finalized = await SendForDataAsync<MediaUpload>(finalize, cancellationToken);
        var processing = finalized.ProcessingInfo;
        // X: a media id may not be used in a post before its processing_info says succeeded; STATUS is asked no
        // sooner than check_after_secs. The wait is bounded so that a delivery never outlives its claim.
        var waitUntil = timeProvider.GetUtcNow() + MaxProcessingWait;
        while (processing is { State: "pending" or "in_progress" })
        {
            var wait = TimeSpan.FromSeconds(Math.Clamp(processing.CheckAfterSecs ?? 1, 1, 60));
            if (timeProvider.GetUtcNow() + wait > waitUntil)
            {
                throw new XApiException(System.Net.HttpStatusCode.GatewayTimeout, "media_processing_timeout",
                    $"X was still processing the {KindOf(contentType)} after {MaxProcessingWait.TotalMinutes:0} minutes " +
                    $"({processing.ProgressPercent ?? 0}% done).");
            }
            await Task.Delay(wait, timeProvider, cancellationToken);
            using var status = Authorized(HttpMethod.Get, $"/2/media/upload?command=STATUS&media_id={Uri.EscapeDataString(started.Id)}", auth);
            processing = (await SendForDataAsync<MediaUpload>(status, cancellationToken)).ProcessingInfo;
        }
        if (processing is { State: "failed" })
        {
            throw new XApiException(System.Net.HttpStatusCode.UnprocessableEntity, "media_processing_failed",
                $"X could not process the {KindOf(contentType)}: {processing.Error?.Message ?? "no reason given"}.");
        }

        if (!string.IsNullOrWhiteSpace(altText))
        {
            using var metadata = Authorized(HttpMethod.Post, "/2/media/metadata", auth);
            metadata.Content = JsonContent.Create(new { id = started.Id, metadata = new { alt_text = new { text = altText } } });
            using var described = await http.SendAsync(metadata, cancellationToken);
            await EnsureSuccessAsync(described, cancellationToken);
        }
        return new XUploadedMedia(started.Id, timeProvider.GetUtcNow().AddSeconds(finalized.ExpiresAfterSecs ?? started.ExpiresAfterSecs ?? 86_400));
    }

    // The account's own posts since since, newest first: how a lost answer is reconciled.
    public async Task<IReadOnlyList<XTweet>> GetRecentTweetsAsync(XAuth auth, string xUserId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var startTime = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        // entities and note_tweet: X rewrites the text it gives back, and these are what it was rewritten from.
        var page = await GetTweetPageAsync(auth, $"/2/users/{Uri.EscapeDataString(xUserId)}/tweets",
            new() { ["max_results"] = "100", ["start_time"] = startTime, ["tweet.fields"] = "created_at,author_id,conversation_id,entities,note_tweet" },
            cancellationToken);
        return page.Tweets;
    }

    // A user's posts, newest first (GET /2/users/:id/tweets).
    public Task<XTweetPage> GetUserTweetsAsync(XAuth auth, string xUserId, XPageRequest page, CancellationToken cancellationToken) =>
        GetTweetPageAsync(auth, $"/2/users/{Uri.EscapeDataString(xUserId)}/tweets", page.ToQuery("pagination_token"), cancellationToken);

    // The account's home timeline, newest first: user context only (OAuth 2.0 with tweet.read and users.read,
    // or OAuth 1.0a), and only for the authenticated user.
    public Task<XTweetPage> GetHomeTimelineAsync(XAuth auth, string xUserId, XPageRequest page, CancellationToken cancellationToken) =>
        GetTweetPageAsync(auth, $"/2/users/{Uri.EscapeDataString(xUserId)}/timelines/reverse_chronological", page.ToQuery("pagination_token"),
            cancellationToken);

    // Posts that mention a user, newest first (GET /2/users/:id/mentions).
    public Task<XTweetPage> GetMentionsAsync(XAuth auth, string xUserId, XPageRequest page, CancellationToken cancellationToken) =>
        GetTweetPageAsync(auth, $"/2/users/{Uri.EscapeDataString(xUserId)}/mentions", page.ToQuery("pagination_token"), cancellationToken);

    // Posts of the last seven days matching a query (GET /2/tweets/search/recent), paged with next_token.
    public Task<XTweetPage> SearchRecentAsync(XAuth auth, string query, XPageRequest page, CancellationToken cancellationToken)
    {
        var parameters = page.ToQuery("next_token");
        parameters["query"] = query;
        return GetTweetPageAsync(auth, "/2/tweets/search/recent", parameters, cancellationToken);
    }

    // The user's bookmarks; X serves them to OAuth 2.0 user tokens only.
    public Task<XTweetPage> GetBookmarksAsync(XAuth auth, string xUserId, XPageRequest page, CancellationToken cancellationToken) =>
        GetTweetPageAsync(auth, $"/2/users/{Uri.EscapeDataString(xUserId)}/bookmarks", page.ToQuery("pagination_token"), cancellationToken);

    // Likes or unlikes, retweets or undoes it, bookmarks or removes it: X's on/off relations between a user and a post.
    public async Task<XRateLimits> SetTweetRelationAsync(
        XAuth auth, string xUserId, XTweetRelation relation, string tweetId, bool on, CancellationToken cancellationToken)
    {
        var collection = $"/2/users/{Uri.EscapeDataString(xUserId)}/{relation.ToString().ToLowerInvariant()}";
        using var request = on
            ? Authorized(HttpMethod.Post, collection, auth)
            : Authorized(HttpMethod.Delete, $"{collection}/{Uri.EscapeDataString(tweetId)}", auth);
        if (on)
        {
            request.Content = JsonContent.Create(new { tweet_id = tweetId });
        }
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return XRateLimits.From(response);
    }

    // Deletes one of the account's posts. A post X no longer has (404) counts as deleted: that is what the
    // caller asked for, and a retry after a lost answer finds it gone. A 200 with deleted: false does
    // not say the post is gone, so it is an error.
    public async Task<XRateLimits> DeleteTweetAsync(XAuth auth, string tweetId, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Delete, $"/2/tweets/{Uri.EscapeDataString(tweetId)}", auth);
        using var response = await http.SendAsync(request, cancellationToken);
        var rateLimits = XRateLimits.From(response);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return rateLimits;
        }
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<DeletedTweet>>(cancellationToken);
        return body?.Data?.Deleted == true
            ? rateLimits
            : throw new XApiException(response.StatusCode, "not_deleted", $"X answered the deletion of post {tweetId} without deleting it.", rateLimits);
    }

    // Sends a direct message to one person, in (or starting) the one-to-one conversation with them.
    public async Task<XSentMessage> SendDirectMessageAsync(XAuth auth, string participantId, string text, CancellationToken cancellationToken)
    {
        using var request = Authorized(HttpMethod.Post, $"/2/dm_conversations/with/{Uri.EscapeDataString(participantId)}/messages", auth);
        request.Content = JsonContent.Create(new { text });
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<XSentMessage>>(cancellationToken);
        return body?.Data is { } sent ? sent with { RateLimits = XRateLimits.From(response) }
            : throw new XApiException(response.StatusCode, "invalid_response", "X's answer to the direct message had no event id.");
    }

    // The user's recent direct message events, newest first (GET /2/dm_events).
    public async Task<XMessagePage> GetDirectMessagesAsync(XAuth auth, XPageRequest page, CancellationToken cancellationToken)
    {
        var parameters = page.ToQuery("pagination_token");
        parameters["dm_event.fields"] = "id,text,event_type,created_at,sender_id,dm_conversation_id";
        using var request = Authorized(HttpMethod.Get, QueryHelpers.AddQueryString("/2/dm_events", parameters), auth);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XPage<XMessage>>(cancellationToken);
        if (body is { Data: null } && Refusal(response, body.Errors) is { } refusal)
        {
            throw refusal;
        }
        return new XMessagePage(body?.Data ?? [], body?.Meta?.NextToken);
    }

    // Public metrics of up to 100 posts in one request (GET /2/tweets?ids=): on pay-per-use every request is billed,
    // so callers batch. Ids X no longer has come back in Missing (X's partial errors, still a 200), not as an exception.
    public async Task<XTweetMetricsLookup> GetTweetMetricsAsync(XAuth auth, IReadOnlyCollection<string> tweetIds, CancellationToken cancellationToken)
    {
        if (tweetIds.Count is 0 or > MaxTweetLookupIds)
        {
            throw new ArgumentOutOfRangeException(nameof(tweetIds), tweetIds.Count, $"X looks up 1 to {MaxTweetLookupIds} posts per request.");
        }
        var path = QueryHelpers.AddQueryString("/2/tweets", new Dictionary<string, string?>
        {
            ["ids"] = string.Join(',', tweetIds),
            ["tweet.fields"] = "public_metrics",
        });
        using var request = Authorized(HttpMethod.Get, path, auth);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<MetricsLookup>(cancellationToken);
        var found = (body?.Data ?? []).Where(t => t.PublicMetrics is not null).Select(t => new XTweetMetrics(t.Id, t.PublicMetrics!)).ToList();
        var missing = (body?.Errors ?? [])
            .Select(e => new XLookupError(e.ResourceId ?? e.Value ?? "", e.Title ?? "", e.Detail ?? "", e.Type ?? ""))
            .ToList();
        return new XTweetMetricsLookup(found, missing, XRateLimits.From(response));
    }

    public const int MaxTweetLookupIds = 100;

    private async Task<XTweetPage> GetTweetPageAsync(XAuth auth, string path, Dictionary<string, string?> parameters, CancellationToken cancellationToken)
    {
        parameters.TryAdd("tweet.fields", "created_at,author_id,conversation_id");
        using var request = Authorized(HttpMethod.Get, QueryHelpers.AddQueryString(path, parameters), auth);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XPage<XTweet>>(cancellationToken);
        if (body is { Data: null } && Refusal(response, body.Errors) is { } refusal)
        {
            throw refusal;
        }
        return new XTweetPage(body?.Data ?? [], body?.Meta?.NextToken);
    }

    // Checks a browser session (the auth_token and ct0 cookies) by asking X's web API who it
    // belongs to, the way x.com's own pages do: the web client's public bearer, the cookies, and ct0
    // echoed as the CSRF header.
    public async Task<XUserProfile> VerifyWebSessionAsync(string authToken, string ct0, CancellationToken cancellationToken)
    {
        var url = new Uri(options.Value.WebBaseUrl.TrimEnd('/') + "/i/api/1.1/account/verify_credentials.json");
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

    private async Task<XTokenResponse> PostTokenAsync(
        string path, XClientCredentials client, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiPath(path)) { Content = new FormUrlEncodedContent(form) };
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
            // A 400's own detail is generic ("One or more parameters to your request was invalid."); errors[] names
            // what was wrong, and is all a v1-style answer has.
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors)
                && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && (Text(errors[0], "message") ?? Text(errors[0], "detail")) is { } specific && specific != description)
            {
                description = description is null ? specific : $"{description} {specific}";
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

    // Below the publisher's claim lease (5 minutes by default), within which a delivery must finish or be taken over.
    public static readonly TimeSpan MaxProcessingWait = TimeSpan.FromMinutes(4);

    // X's media_category for each type Sosyabot sends: every GIF as an animation, MP4 as a video.
    public static string MediaCategory(string contentType) => contentType switch
    {
        "image/gif" => "tweet_gif",
        "video/mp4" => "tweet_video",
        _ => "tweet_image",
    };

    private static string KindOf(string contentType) => contentType switch
    {
        "image/gif" => "GIF",
        "video/mp4" => "video",
        _ => "image",
    };

    // X's paths are written as X documents them ("/2/tweets"); sent relative to X_API_BASE_URL, path included.
    private static string ApiPath(string pathAndQuery) => pathAndQuery.TrimStart('/');

    // XRequestSigner turns the auth into a header on each attempt (a fresh OAuth 1.0a nonce per retry).
    private static HttpRequestMessage Authorized(HttpMethod method, string pathAndQuery, XAuth auth)
    {
        var request = new HttpRequestMessage(method, ApiPath(pathAndQuery));
        request.Options.Set(XAuth.OptionKey, auth);
        return request;
    }

    private async Task<T> SendForDataAsync<T>(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        var body = await response.Content.ReadFromJsonAsync<XData<T>>(cancellationToken);
        return body is { Data: { } data }
            ? data
            : throw Refusal(response, body?.Errors) ?? new XApiException(response.StatusCode, "invalid_response", $"X's answer to {request.RequestUri} had no data.");
    }

    // X answers some refusals with HTTP 200 and errors[] in place of data (an unknown username, a protected or suspended
    // account's posts): the refusal as its type says, in X's own words. Null when X gave no errors.
    private static XApiException? Refusal(HttpResponseMessage response, List<LookupError>? errors)
    {
        if (errors is not [var first, ..])
        {
            return null;
        }
        var type = first.Type ?? "";
        var status = type.EndsWith("/resource-not-found", StringComparison.Ordinal) ? System.Net.HttpStatusCode.NotFound
            : type.EndsWith("/not-authorized-for-resource", StringComparison.Ordinal) ? System.Net.HttpStatusCode.Forbidden
            : response.StatusCode;
        return new XApiException(status, first.Title, first.Detail ?? first.Message, XRateLimits.From(response));
    }

    private sealed record CreateTweetRequest(
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("reply"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ReplyTo? Reply,
        [property: JsonPropertyName("quote_tweet_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? QuoteTweetId,
        [property: JsonPropertyName("media"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TweetMedia? Media);

    private sealed record TweetMedia([property: JsonPropertyName("media_ids")] IReadOnlyList<string> MediaIds);

    private sealed record MediaUpload(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("expires_after_secs")] int? ExpiresAfterSecs,
        [property: JsonPropertyName("processing_info")] ProcessingInfo? ProcessingInfo);

    private sealed record ProcessingInfo(
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("check_after_secs")] int? CheckAfterSecs,
        [property: JsonPropertyName("progress_percent")] int? ProgressPercent,
        [property: JsonPropertyName("error")] ProcessingError? Error);

    private sealed record ProcessingError([property: JsonPropertyName("message")] string? Message);

    private sealed record DeletedTweet([property: JsonPropertyName("deleted")] bool Deleted);

    private sealed record ReplyTo([property: JsonPropertyName("in_reply_to_tweet_id")] string InReplyToTweetId);

    private sealed record XData<T>([property: JsonPropertyName("data")] T? Data, [property: JsonPropertyName("errors")] List<LookupError>? Errors);

    private sealed record XPage<T>(
        [property: JsonPropertyName("data")] List<T>? Data, [property: JsonPropertyName("meta")] XPageMeta? Meta,
        [property: JsonPropertyName("errors")] List<LookupError>? Errors);

    private sealed record XPageMeta([property: JsonPropertyName("next_token")] string? NextToken);

    private sealed record MetricsLookup(
        [property: JsonPropertyName("data")] List<MetricsTweet>? Data,
        [property: JsonPropertyName("errors")] List<LookupError>? Errors);

    private sealed record MetricsTweet(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("public_metrics")] XPublicMetrics? PublicMetrics);

    private sealed record LookupError(
        [property: JsonPropertyName("value")] string? Value,
        [property: JsonPropertyName("resource_id")] string? ResourceId,
        [property: JsonPropertyName("title")] string? Title,
        [property: JsonPropertyName("detail")] string? Detail,
        [property: JsonPropertyName("type")] string? Type,
        [property: JsonPropertyName("message")] string? Message = null);

    private sealed record WebUser(
        [property: JsonPropertyName("id_str")] string IdStr,
        [property: JsonPropertyName("screen_name")] string ScreenName,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("profile_image_url_https")] string? ProfileImageUrlHttps);
}
