using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.X;

// A cookie session as one series of calls uses it. x.com may hand a new ct0 back on any answer; the client
// sends it from the next call on and leaves it here for the caller to store (TakeRotatedCt0).
public sealed class XWebSession(string authToken, string ct0, XWebQueries queries)
{
    public string AuthToken { get; } = authToken;
    public string Ct0 { get; private set; } = ct0;
    public XWebQueries Queries { get; } = queries;
    private string? _rotated;

    internal void Rotate(string ct0)
    {
        Ct0 = ct0;
        _rotated = ct0;
    }

    public string? TakeRotatedCt0()
    {
        var rotated = _rotated;
        _rotated = null;
        return rotated;
    }

    public override string ToString() => "XWebSession { redacted }";
}

public enum XWebFault
{
    Other,
    Duplicate,
    DailyLimit,
    Automated,
    Locked,
    Suspended,
    SessionRejected,
    CsrfRejected,
    OutdatedQueryId,
    MissingFeatures,
    RateLimited,
    AccountLimited,
}

// x.com's web path refused: its HTTP status (often 200 there), its error code and words, and what kind of refusal it is.
public sealed class XWebException(HttpStatusCode status, XWebFault fault, int? code, string? message, string operation, XRateLimits? rateLimits = null)
    : XApiException(status, code is null ? fault.ToString() : $"code {code}", message, rateLimits)
{
    public XWebFault Fault { get; } = fault;
    public int? Code { get; } = code;
    public string Operation { get; } = operation;

    // The session itself is gone or barred: only fresh cookies (or x.com's own unlock) help.
    public bool SessionEnded => Fault is XWebFault.SessionRejected or XWebFault.CsrfRejected or XWebFault.Locked or XWebFault.Suspended;
}

// The one client for x.com's web-client surface (docs/x-web-path.md), as a cookie-connected channel uses it:
// GraphQL under X_WEB_BASE_URL, media upload under the upload base, the web client's headers on every call.
public sealed partial class XWebClient(HttpClient http, IOptions<XOptions> options, TimeProvider timeProvider)
{
    private const int MediaChunkBytes = 1024 * 1024;

    public async Task<XCreatedTweet> CreateTweetAsync(XWebSession session, XTweetDraft draft, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["tweet_text"] = draft.Text,
            ["dark_request"] = false,
            ["media"] = new JsonObject
            {
                ["media_entities"] = new JsonArray([.. (draft.MediaIds ?? [])
                    .Select(id => (JsonNode)new JsonObject { ["media_id"] = id, ["tagged_users"] = new JsonArray() })]),
                ["possibly_sensitive"] = false,
            },
            ["semantic_annotation_ids"] = new JsonArray(),
        };
        if (draft.InReplyToTweetId is { } replyTo)
        {
            variables["reply"] = new JsonObject { ["in_reply_to_tweet_id"] = replyTo, ["exclude_reply_user_ids"] = new JsonArray() };
        }
        if (draft.QuoteTweetId is { } quoted)
        {
            // x.com resolves /i/status/{id} whoever wrote the post, so the quoted author's handle is not needed.
            variables["attachment_url"] = $"https://x.com/i/status/{quoted}";
        }
        using var answer = await GraphQlPostAsync(session, XWebOperations.CreateTweet, variables, session.Queries.TweetFeaturesJson, cancellationToken);
        if (answer.Data.TryGetProperty("create_tweet", out var created)
            && created.TryGetProperty("tweet_results", out var results) && results.TryGetProperty("result", out var result)
            && Str(result, "rest_id") is { } id)
        {
            return new XCreatedTweet(id, answer.RateLimits);
        }
        // x.com can refuse beside a husk of data (tweet_results: {}): its errors[] then says why (187, 226, 344...).
        throw answer.Error is { } error
            ? Refusal(answer.Status, error.Code, error.Message, XWebOperations.CreateTweet, answer.RateLimits)
            : new XWebException(answer.Status, XWebFault.Other, null,
                "x.com's answer to CreateTweet had no data.create_tweet.tweet_results.result.rest_id.", XWebOperations.CreateTweet, answer.RateLimits);
    }

    // INIT, APPEND in 1 MB chunks, FINALIZE (polling STATUS for GIFs), then the alt text: the web client's upload.
    public async Task<XUploadedMedia> UploadMediaAsync(
        XWebSession session, byte[] bytes, string contentType, string? altText, CancellationToken cancellationToken)
    {
        var upload = options.Value.ResolvedWebUploadBaseUrl.TrimEnd('/') + "/i/media/upload.json";
        var category = contentType == "image/gif" ? "tweet_gif" : contentType.StartsWith("video/", StringComparison.Ordinal) ? "tweet_video" : "tweet_image";
        var init = await SendJsonAsync(session, "media/upload",
            () => new HttpRequestMessage(HttpMethod.Post, QueryHelpers.AddQueryString(upload, new Dictionary<string, string?>
            {
                ["command"] = "INIT",
                ["total_bytes"] = bytes.Length.ToString(CultureInfo.InvariantCulture),
                ["media_type"] = contentType,
                ["media_category"] = category,
            })), cancellationToken);
        var mediaId = Str(init.Root, "media_id_string")
            ?? throw new XWebException(init.Status, XWebFault.Other, null, "x.com's media INIT answer had no media_id_string.", "media/upload");
        var expiresAfter = init.Root.TryGetProperty("expires_after_secs", out var e) && e.TryGetInt32(out var secs) ? secs : 86_400;
        init.Dispose();

        for (int offset = 0, segment = 0; offset < bytes.Length; offset += MediaChunkBytes, segment++)
        {
            var (from, length, index) = (offset, Math.Min(MediaChunkBytes, bytes.Length - offset), segment);
            using var appended = await SendJsonAsync(session, "media/upload", () =>
            {
                var chunk = new ByteArrayContent(bytes, from, length);
                chunk.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return new HttpRequestMessage(HttpMethod.Post, $"{upload}?command=APPEND&media_id={mediaId}&segment_index={index}")
                {
                    Content = new MultipartFormDataContent { { chunk, "media", "blob" } },
                };
            }, cancellationToken);
        }

        var finalized = await SendJsonAsync(session, "media/upload", () => new HttpRequestMessage(HttpMethod.Post,
            $"{upload}?command=FINALIZE&media_id={mediaId}{(category == "tweet_image" ? "" : "&allow_async=true")}"), cancellationToken);
        var processing = finalized.Root.TryGetProperty("processing_info", out var p) && p.ValueKind == JsonValueKind.Object ? p.Clone() : (JsonElement?)null;
        finalized.Dispose();
        var waitUntil = timeProvider.GetUtcNow() + XClient.MaxProcessingWait;
        while (processing is { } info && Str(info, "state") is "pending" or "in_progress")
        {
            var wait = TimeSpan.FromSeconds(Math.Clamp(info.TryGetProperty("check_after_secs", out var c) && c.TryGetInt32(out var s) ? s : 1, 1, 30));
            if (timeProvider.GetUtcNow() + wait > waitUntil)
            {
                throw new XWebException(HttpStatusCode.GatewayTimeout, XWebFault.Other, null,
                    $"x.com was still processing the media after {XClient.MaxProcessingWait.TotalMinutes:0} minutes.", "media/upload");
            }
            await Task.Delay(wait, timeProvider, cancellationToken);
            using var status = await SendJsonAsync(session, "media/upload",
                () => new HttpRequestMessage(HttpMethod.Get, $"{upload}?command=STATUS&media_id={mediaId}"), cancellationToken);
            processing = status.Root.TryGetProperty("processing_info", out var q) && q.ValueKind == JsonValueKind.Object ? q.Clone() : null;
        }
        if (processing is { } failed && Str(failed, "state") == "failed")
        {
            throw new XWebException(HttpStatusCode.UnprocessableEntity, XWebFault.Other, null, "x.com could not process the media.", "media/upload");
        }

        if (!string.IsNullOrWhiteSpace(altText))
        {
            // x.com also answers v1.1 under /i/api/1.1, so the alt text stays on the web base (docs/x-web-path.md).
            using var described = await SendJsonAsync(session, "media/metadata/create",
                () => new HttpRequestMessage(HttpMethod.Post, WebUrl("/i/api/1.1/media/metadata/create.json"))
                {
                    Content = JsonContent.Create(new { media_id = mediaId, alt_text = new { text = altText } }),
                }, cancellationToken);
        }
        return new XUploadedMedia(mediaId, timeProvider.GetUtcNow().AddSeconds(expiresAfter));
    }

    // The account's own posts, newest first: how the publisher looks for a post whose answer was lost.
    public Task<XTweetPage> GetUserTweetsAsync(XWebSession session, string xUserId, int count, string? cursor, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["userId"] = xUserId, ["count"] = count, ["includePromotedContent"] = false,
            ["withQuickPromoteEligibilityTweetFields"] = false, ["withVoice"] = true,
        };
        if (cursor is not null)
        {
            variables["cursor"] = cursor;
        }
        return TimelineAsync(session, XWebOperations.UserTweets, HttpMethod.Get, variables,
            // Older bundles put the timeline under timeline_v2.
            data => data.GetProperty("user").GetProperty("result") is var user && user.TryGetProperty("timeline", out var t)
                ? t.GetProperty("timeline") : user.GetProperty("timeline_v2").GetProperty("timeline"),
            cancellationToken, """{"withArticlePlainText":false}""");
    }

    public Task<XTweetPage> GetHomeLatestTimelineAsync(XWebSession session, int count, string? cursor, CancellationToken cancellationToken)
    {
        var variables = new JsonObject
        {
            ["count"] = count, ["includePromotedContent"] = false, ["latestControlAvailable"] = true,
            ["requestContext"] = "launch", ["seenTweetIds"] = new JsonArray(),
        };
        if (cursor is not null)
        {
            variables["cursor"] = cursor;
        }
        return TimelineAsync(session, XWebOperations.HomeLatestTimeline, HttpMethod.Post, variables,
            data => data.GetProperty("home").GetProperty("home_timeline_urt"), cancellationToken);
    }

    public Task<XTweetPage> SearchAsync(XWebSession session, string query, int count, string? cursor, CancellationToken cancellationToken)
    {
        var variables = new JsonObject { ["rawQuery"] = query, ["count"] = count, ["querySource"] = "typed_query", ["product"] = "Latest" };
        if (cursor is not null)
        {
            variables["cursor"] = cursor;
        }
        return TimelineAsync(session, XWebOperations.SearchTimeline, HttpMethod.Get, variables,
            data => data.GetProperty("search_by_raw_query").GetProperty("search_timeline").GetProperty("timeline"), cancellationToken);
    }

    // Like, retweet or bookmark. x.com's web client has undo operations too, but their query ids are not among
    // the settings (docs/x-web-path.md lists none), so undoing is refused before this client is asked.
    public async Task<XRateLimits> SetTweetRelationAsync(XWebSession session, XTweetRelation relation, string tweetId, CancellationToken cancellationToken)
    {
        var (operation, variables) = relation switch
        {
            XTweetRelation.Likes => (XWebOperations.FavoriteTweet, new JsonObject { ["tweet_id"] = tweetId }),
            XTweetRelation.Retweets => (XWebOperations.CreateRetweet, new JsonObject { ["tweet_id"] = tweetId, ["dark_request"] = false }),
            _ => (XWebOperations.CreateBookmark, new JsonObject { ["tweet_id"] = tweetId }),
        };
        using var answer = await GraphQlPostAsync(session, operation, variables, null, cancellationToken);
        return answer.RateLimits;
    }

    public async Task<XSentMessage> SendDirectMessageAsync(
        XWebSession session, string senderId, string participantId, string text, CancellationToken cancellationToken)
    {
        var requestId = Guid.NewGuid().ToString();
        using var answer = await SendJsonAsync(session, "dm/new2",
            () => new HttpRequestMessage(HttpMethod.Post, WebUrl($"/i/api/1.1/dm/new2.json?request_id={requestId}"))
            {
                Content = JsonContent.Create(new
                {
                    conversation_id = $"{participantId}-{senderId}",
                    recipient_ids = false,
                    text,
                    cards_platform = "Web-12",
                    include_cards = 1,
                    include_quote_count = true,
                    dm_users = false,
                }),
            }, cancellationToken);
        var message = answer.Root.TryGetProperty("entries", out var entries) && entries.ValueKind == JsonValueKind.Array && entries.GetArrayLength() > 0
                      && entries[0].TryGetProperty("message", out var m)
            ? m
            : throw new XWebException(answer.Status, XWebFault.Other, null, "x.com's answer to dm/new2 had no message.", "dm/new2");
        return new XSentMessage(Str(message, "conversation_id") ?? $"{participantId}-{senderId}", Str(message, "id") ?? "") { RateLimits = answer.RateLimits };
    }

    private async Task<XTweetPage> TimelineAsync(XWebSession session, string operation, HttpMethod method, JsonObject variables,
        Func<JsonElement, JsonElement> timelineOf, CancellationToken cancellationToken, string? fieldToggles = null)
    {
        var features = session.Queries.TimelineFeaturesJson;
        using var answer = method == HttpMethod.Post
            ? await GraphQlPostAsync(session, operation, variables, features, cancellationToken)
            : await GraphQlGetAsync(session, operation, variables, features, fieldToggles, cancellationToken);
        var tweets = new List<XTweet>();
        string? bottom = null;
        JsonElement timeline;
        try
        {
            timeline = timelineOf(answer.Data);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException)
        {
            throw new XWebException(answer.Status, XWebFault.Other, null, $"x.com's answer to {operation} was not a timeline.", operation, answer.RateLimits);
        }
        foreach (var instruction in timeline.GetProperty("instructions").EnumerateArray())
        {
            if (!instruction.TryGetProperty("entries", out var entries))
            {
                continue;
            }
            foreach (var entry in entries.EnumerateArray())
            {
                var content = entry.GetProperty("content");
                switch (Str(content, "entryType"))
                {
                    case "TimelineTimelineItem" when content.TryGetProperty("itemContent", out var item)
                                                     && item.TryGetProperty("tweet_results", out var results)
                                                     && results.TryGetProperty("result", out var result):
                        if (TweetOf(result) is { } tweet)
                        {
                            tweets.Add(tweet);
                        }
                        break;
                    case "TimelineTimelineCursor" when Str(content, "cursorType") == "Bottom":
                        bottom = Str(content, "value");
                        break;
                }
            }
        }
        // x.com always sends a Bottom cursor; a page without posts is the end.
        return new XTweetPage(tweets, tweets.Count == 0 ? null : bottom);
    }

    // A post in x.com's GraphQL shape, as the API's records describe posts (ids, text as X rewrote it, t.co links).
    private static XTweet? TweetOf(JsonElement result)
    {
        if (Str(result, "__typename") == "TweetWithVisibilityResults" && result.TryGetProperty("tweet", out var inner))
        {
            result = inner;
        }
        if (!result.TryGetProperty("legacy", out var legacy) || Str(result, "rest_id") is not { } id)
        {
            return null;
        }
        var text = Str(legacy, "full_text") ?? "";
        DateTimeOffset? createdAt = DateTimeOffset.TryParseExact(Str(legacy, "created_at"), "ddd MMM dd HH:mm:ss zzz yyyy", CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var at) ? at : null;
        var urls = new List<XUrlEntity>();
        void AddUrls(JsonElement list)
        {
            foreach (var url in list.EnumerateArray())
            {
                if (Str(url, "url") is { } tco && url.TryGetProperty("indices", out var indices) && indices.GetArrayLength() == 2)
                {
                    urls.Add(new XUrlEntity(indices[0].GetInt32(), indices[1].GetInt32(), tco, Str(url, "expanded_url"), Str(url, "display_url")));
                }
            }
        }
        if (legacy.TryGetProperty("entities", out var entities))
        {
            if (entities.TryGetProperty("urls", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                AddUrls(list);
            }
            if (entities.TryGetProperty("media", out var media) && media.ValueKind == JsonValueKind.Array)
            {
                AddUrls(media);
            }
        }
        var noteText = result.TryGetProperty("note_tweet", out var note) && note.TryGetProperty("note_tweet_results", out var noteResults)
                       && noteResults.TryGetProperty("result", out var noteResult) ? Str(noteResult, "text") : null;
        return new XTweet(id, text, createdAt, Str(legacy, "user_id_str"), Str(legacy, "conversation_id_str"),
            urls.Count == 0 ? null : new XTweetEntities([.. urls.OrderBy(u => u.Start)]),
            noteText is null ? null : new XNoteTweet(noteText, null));
    }

    private async Task<GraphQlAnswer> GraphQlPostAsync(
        XWebSession session, string operation, JsonObject variables, string? featuresJson, CancellationToken cancellationToken)
    {
        var queryId = session.Queries.QueryIds[operation];
        var body = new JsonObject { ["variables"] = variables.DeepClone(), ["queryId"] = queryId };
        if (featuresJson is not null)
        {
            body["features"] = JsonNode.Parse(featuresJson);
        }
        var json = body.ToJsonString();
        return await GraphQlAsync(session, operation, () => new HttpRequestMessage(HttpMethod.Post, WebUrl($"/i/api/graphql/{queryId}/{operation}"))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        }, cancellationToken);
    }

    private async Task<GraphQlAnswer> GraphQlGetAsync(
        XWebSession session, string operation, JsonObject variables, string featuresJson, string? fieldToggles, CancellationToken cancellationToken)
    {
        var queryId = session.Queries.QueryIds[operation];
        var query = new Dictionary<string, string?> { ["variables"] = variables.ToJsonString(), ["features"] = JsonNode.Parse(featuresJson)!.ToJsonString() };
        if (fieldToggles is not null)
        {
            query["fieldToggles"] = fieldToggles;
        }
        var url = QueryHelpers.AddQueryString(WebUrl($"/i/api/graphql/{queryId}/{operation}"), query);
        return await GraphQlAsync(session, operation, () => new HttpRequestMessage(HttpMethod.Get, url), cancellationToken);
    }

    private sealed record GraphQlError(int? Code, string? Message);

    // Error: the first of the errors[] x.com sent beside the data, if any.
    private sealed class GraphQlAnswer(JsonDocument document, JsonElement data, HttpStatusCode status, XRateLimits rateLimits, GraphQlError? error)
        : IDisposable
    {
        public JsonElement Data { get; } = data;
        public GraphQlError? Error { get; } = error;
        public HttpStatusCode Status { get; } = status;
        public XRateLimits RateLimits { get; } = rateLimits;
        public void Dispose() => document.Dispose();
    }

    private async Task<GraphQlAnswer> GraphQlAsync(XWebSession session, string operation, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(session, build, cancellationToken);
        var limits = XRateLimits.From(response);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        // An outdated query id: x.com answers 404 with nothing in it (or, below, 200 with "Query: Unspecified").
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new XWebException(response.StatusCode, XWebFault.OutdatedQueryId, null,
                $"x.com answered 404 to {operation} with query id {session.Queries.QueryIds[operation]}: " +
                "the id is outdated (or x.com now wants an x-client-transaction-id).", operation, limits);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw Refusal(response.StatusCode, null, null, operation, limits);
        }
        var root = document.RootElement;
        var hasData = root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.EnumerateObject().Any();
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
            && (!hasData || !response.IsSuccessStatusCode))
        {
            var first = errors[0];
            var code = Code(first);
            var message = Str(first, "message");
            document.Dispose();
            if (code is null && message is not null && QueryUnspecified().IsMatch(message))
            {
                throw new XWebException(response.StatusCode, XWebFault.OutdatedQueryId, null,
                    $"x.com answered \"{message}\" to {operation} with query id {session.Queries.QueryIds[operation]}: the id is outdated.", operation, limits);
            }
            throw Refusal(response.StatusCode, code, message, operation, limits);
        }
        if (!response.IsSuccessStatusCode || !hasData)
        {
            document.Dispose();
            throw Refusal(response.StatusCode, null, null, operation, limits);
        }
        var error = root.TryGetProperty("errors", out var partial) && partial.ValueKind == JsonValueKind.Array && partial.GetArrayLength() > 0
            ? new GraphQlError(Code(partial[0]), Str(partial[0], "message"))
            : null;
        return new GraphQlAnswer(document, data, response.StatusCode, limits, error);
    }

    private sealed class JsonAnswer(JsonDocument? document, HttpStatusCode status, XRateLimits rateLimits) : IDisposable
    {
        public JsonElement Root => document?.RootElement ?? default;
        public HttpStatusCode Status { get; } = status;
        public XRateLimits RateLimits { get; } = rateLimits;
        public void Dispose() => document?.Dispose();
    }

    // The v1.1-shaped calls (upload, alt text, DM): errors with an HTTP error status, {"errors":[{"code","message"}]}
    // or the upload's {"error": "..."}; success is any 2xx, with or without a body.
    private async Task<JsonAnswer> SendJsonAsync(XWebSession session, string endpoint, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(session, build, cancellationToken);
        var limits = XRateLimits.From(response);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonDocument? document = null;
        try
        {
            document = body.Length == 0 ? null : JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            // Not JSON (an empty 204, a proxy's page): the status has to do.
        }
        if (response.IsSuccessStatusCode)
        {
            return new JsonAnswer(document, response.StatusCode, limits);
        }
        using (document)
        {
            var root = document?.RootElement;
            int? code = null;
            string? message = null;
            if (root is { ValueKind: JsonValueKind.Object } r)
            {
                if (r.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
                {
                    code = Code(errors[0]);
                    message = Str(errors[0], "message");
                }
                message ??= Str(r, "error");
            }
            throw Refusal(response.StatusCode, code, message, endpoint, limits);
        }
    }

    private static XWebException Refusal(HttpStatusCode status, int? code, string? message, string operation, XRateLimits limits)
    {
        var fault = (status, code) switch
        {
            (_, 187) => XWebFault.Duplicate,
            (_, 344) => XWebFault.DailyLimit,
            (_, 226) => XWebFault.Automated,
            (_, 326) => XWebFault.Locked,
            (_, 64 or 37) => XWebFault.Suspended,
            (_, 353) => XWebFault.CsrfRejected,
            (_, 336) => XWebFault.MissingFeatures,
            // Code 88 with requests left in the window: x.com limits the account, not the window (twscrape).
            (_, 88) when limits.Endpoint is { Remaining: > 0 } => XWebFault.AccountLimited,
            (HttpStatusCode.TooManyRequests, _) or (_, 88) => XWebFault.RateLimited,
            (HttpStatusCode.Unauthorized, _) or (_, 32 or 89 or 215) => XWebFault.SessionRejected,
            _ when (message ?? "").Contains("TwitterUserNotSuspended", StringComparison.Ordinal) => XWebFault.Suspended,
            _ => XWebFault.Other,
        };
        return new XWebException(status, fault, code, message, operation, limits);
    }

    // Every call goes out with the web client's headers. A 403/353 that hands a fresh ct0 back is retried once
    // with it: x.com refuses a CSRF mismatch before acting, so even a CreateTweet cannot go out twice this way.
    private async Task<HttpResponseMessage> SendAsync(XWebSession session, Func<HttpRequestMessage> build, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = build();
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.WebClientBearerToken);
            request.Headers.Add("Cookie", $"auth_token={session.AuthToken}; ct0={session.Ct0}");
            request.Headers.Add("x-csrf-token", session.Ct0);
            request.Headers.Add("x-twitter-auth-type", "OAuth2Session");
            request.Headers.Add("x-twitter-active-user", "yes");
            request.Headers.Add("x-twitter-client-language", "en");
            request.Headers.Referrer = new Uri("https://x.com/");
            request.Headers.Add("Origin", "https://x.com");
            var response = await http.SendAsync(request, cancellationToken);
            var sentCt0 = session.Ct0;
            if (NewCt0(response) is { } fresh && fresh != sentCt0)
            {
                session.Rotate(fresh);
                if (attempt == 0 && response.StatusCode == HttpStatusCode.Forbidden)
                {
                    await response.Content.LoadIntoBufferAsync(cancellationToken);
                    if ((await response.Content.ReadAsStringAsync(cancellationToken)).Contains("\"code\":353", StringComparison.Ordinal))
                    {
                        response.Dispose();
                        continue;
                    }
                }
            }
            return response;
        }
    }

    private static string? NewCt0(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var cookies))
        {
            return null;
        }
        foreach (var cookie in cookies)
        {
            if (cookie.StartsWith("ct0=", StringComparison.Ordinal))
            {
                var value = cookie["ct0=".Length..].Split(';')[0].Trim();
                if (value.Length > 0)
                {
                    return value;
                }
            }
        }
        return null;
    }

    private string WebUrl(string pathAndQuery) => options.Value.WebBaseUrl.TrimEnd('/') + pathAndQuery;

    private static int? Code(JsonElement error) =>
        error.TryGetProperty("code", out var code) && code.TryGetInt32(out var value) ? value
        : error.TryGetProperty("extensions", out var extensions) && extensions.ValueKind == JsonValueKind.Object
          && extensions.TryGetProperty("code", out var inner) && inner.TryGetInt32(out var innerValue) ? innerValue
        : null;

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null }
            : null;

    [GeneratedRegex(@"query:\s*unspecified", RegexOptions.IgnoreCase)]
    private static partial Regex QueryUnspecified();
}
