using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using static Sosyabot.XSandbox.SandboxWebContract;

namespace Sosyabot.XSandbox;

// x.com's own web-client path, as a cookie session uses it: GraphQL at /i/api/graphql/{queryId}/{operation},
// chunked media upload at /i/media/upload.json (upload.x.com on x.com; this stand-in serves one base URL),
// alt text at /1.1/media/metadata/create.json, direct messages at /i/api/1.1/dm/new2.json. Checks, answers
// and error shapes follow docs/x-web-path.md; posts land on the same timeline as the API's.
public static class SandboxWeb
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
    private const long ImageMaxBytes = 5 * 1024 * 1024;
    private const long GifMaxBytes = 15 * 1024 * 1024;
    private const long VideoMaxBytes = 512L * 1024 * 1024;

    private sealed record WebCall(SandboxAccount Account, WebSession Session, WebAccountControls Controls);

    public static WebApplication MapWebClientEndpoints(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/i") || http.Request.Path.StartsWithSegments("/1.1"))
            {
                http.RequestServices.GetRequiredService<SandboxWebState>().CountCall();
            }
            await next(http);
        });
        app.MapMethods("/i/api/graphql/{queryId}/{operation}", ["GET", "POST"], GraphQlAsync);
        app.MapPost("/i/media/upload.json", UploadAsync);
        app.MapGet("/i/media/upload.json", UploadStatus);
        // The web client posts alt text to api.x.com/1.1/...; a client on one base URL reaches it under /i/api.
        app.MapPost("/1.1/media/metadata/create.json", MetadataAsync);
        app.MapPost("/i/api/1.1/media/metadata/create.json", MetadataAsync);
        app.MapPost("/i/api/1.1/dm/new2.json", DirectMessageAsync);
        MapControls(app);
        return app;
    }

    private static async Task<IResult> GraphQlAsync(
        string queryId, string operation, HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time)
    {
        if (!web.IsKnownOperation(operation) || !string.Equals(http.Request.Method, Methods[operation], StringComparison.OrdinalIgnoreCase))
        {
            return Results.NotFound();
        }
        if (queryId != web.QueryId(operation))
        {
            return web.StaleQueryAnswer == StaleQueryAnswer.NotFound
                ? Results.NotFound()
                : Results.Json(new { errors = new[] { new { message = "Query: Unspecified" } } });
        }
        if (Authenticate(http, web, time) is not { } call)
        {
            return LastRefusal(http);
        }
        if (call.Controls.Locked)
        {
            return GraphQlError(326, "Authorization: Denied by access control: " +
                "To protect our users from spam and other malicious activity, this account is temporarily locked. " +
                "Please log in to https://twitter.com to unlock your account.",
                "Permissions", "AuthorizationError", PathOf(operation));
        }
        if (!Spend(http.Response, state, call, operation, time.GetUtcNow()))
        {
            return RateLimited();
        }

        JsonElement variables, features;
        try
        {
            (variables, features) = await ReadGraphQlRequestAsync(http.Request);
        }
        catch (JsonException)
        {
            return Results.Json(new { errors = new[] { new { message = "Request body is not valid JSON." } } }, statusCode: 400);
        }
        if (FeaturesFor(operation) is { } expected)
        {
            var missing = expected.Keys.Where(k => features.ValueKind != JsonValueKind.Object || !features.TryGetProperty(k, out _)).ToList();
            if (missing.Count > 0)
            {
                return GraphQlError(336, $"The following features cannot be null: {string.Join(", ", missing)}", "Validation", "BadRequestError", null, 400);
            }
        }
        if (variables.ValueKind != JsonValueKind.Object)
        {
            return Results.Json(new { errors = new[] { new { message = "Variable \"$variables\" was not provided." } } }, statusCode: 400);
        }

        return operation switch
        {
            CreateTweet => CreateTweetAnswer(http, state, call, variables, time),
            HomeLatestTimeline => Timeline(http.Request, state, call, variables, state.Posts,
                page => new { home = new { home_timeline_urt = new { instructions = page } } }),
            UserTweets => Timeline(http.Request, state, call, variables,
                state.Posts.Where(p => p.Account.Id == Str(variables, "userId")),
                page => new { user = new { result = new { __typename = "User", timeline = new { timeline = new { instructions = page } } } } }),
            SearchTimeline => Timeline(http.Request, state, call, variables, Search(state, Str(variables, "rawQuery") ?? ""),
                page => new { search_by_raw_query = new { search_timeline = new { timeline = new { instructions = page } } } }),
            _ => Engage(http.Request, state, call, operation, variables, time),
        };
    }

    private static IResult CreateTweetAnswer(HttpContext http, SandboxState state, WebCall call, JsonElement variables, TimeProvider time)
    {
        var account = call.Account;
        var now = time.GetUtcNow();
        var text = Str(variables, "tweet_text") ?? "";
        var replyTo = variables.TryGetProperty("reply", out var reply) && reply.ValueKind == JsonValueKind.Object ? Str(reply, "in_reply_to_tweet_id") : null;
        var mediaIds = variables.TryGetProperty("media", out var media) && media.ValueKind == JsonValueKind.Object
            && media.TryGetProperty("media_entities", out var entities) && entities.ValueKind == JsonValueKind.Array
                ? entities.EnumerateArray().Select(e => Str(e, "media_id") ?? "").ToList()
                : [];
        var attachmentUrl = Str(variables, "attachment_url");

        if (text.Length == 0 && mediaIds.Count == 0)
        {
            return GraphQlError(170, "Missing status.", "Validation", "BadRequestError", "create_tweet");
        }
        if (replyTo is not null && !state.Posts.Any(p => p.Id == replyTo))
        {
            return GraphQlError(385, "You attempted to reply to a Tweet that is deleted or not visible to you.",
                "Permissions", "AuthorizationError", "create_tweet");
        }
        string? quoteOf = null;
        if (attachmentUrl is not null)
        {
            quoteOf = StatusId(attachmentUrl);
            if (quoteOf is null || !state.Posts.Any(p => p.Id == quoteOf))
            {
                return GraphQlError(44, "attachment_url parameter is invalid.", "Validation", "BadRequestError", "create_tweet");
            }
        }
        if (mediaIds.Count > 4 || mediaIds.Any(id => !state.Media.TryGetValue(id, out var m) || !m.Finalized))
        {
            return GraphQlError(324, "The validation of media ids failed.", "Validation", "BadRequestError", "create_tweet");
        }
        if (text.Length > 0 && state.Posts.Any(p => p.Account.Id == account.Id && p.Text == text))
        {
            state.CountDuplicateRefusal();
            return GraphQlError(187, "Authorization: Status is a duplicate. (187)", "Permissions", "AuthorizationError", "create_tweet");
        }
        var daily = state.RateWindows.GetOrAdd($"web:{CreateTweet}:day:{account.Id}", _ => new RateWindow(TweetsPerDay, TimeSpan.FromHours(24)));
        if (!daily.TryTake(now))
        {
            return GraphQlError(344, "Authorization: You have reached your daily limit for sending posts. (344)",
                "Permissions", "AuthorizationError", "create_tweet");
        }

        var id = state.NextPostId();
        var rendered = RenderedText.Of(text, mediaIds.Count == 0 ? null : $"https://x.com/{account.Username}/status/{id}/photo/1");
        var post = new SandboxPost(id, account, text, rendered, now, mediaIds, replyTo, quoteOf);
        state.AddPost(post);
        if (call.Controls.LoseNextCreateTweetAnswer)
        {
            // The post exists; the caller never hears so: the connection drops before any answer.
            call.Controls.LoseNextCreateTweetAnswer = false;
            http.Abort();
            return Results.Empty;
        }
        return Results.Json(
            new { data = new { create_tweet = new { tweet_results = new { result = TweetResult(http.Request, state, post, account) } } } }, Json);
    }

    private static IResult Timeline(HttpRequest request, SandboxState state, WebCall call, JsonElement variables,
        IEnumerable<SandboxPost> posts, Func<object[], object> wrap)
    {
        var count = variables.TryGetProperty("count", out var c) && c.TryGetInt32(out var n) ? Math.Clamp(n, 1, 100) : 20;
        var offset = Str(variables, "cursor") is { Length: > 1 } cursor && cursor.StartsWith("DAAB", StringComparison.Ordinal)
            && int.TryParse(cursor[4..], CultureInfo.InvariantCulture, out var o) ? o : 0;
        var page = posts.Reverse().Skip(offset).Take(count).ToList();
        var entries = page.Select(p => (object)new
        {
            entryId = $"tweet-{p.Id}",
            sortIndex = p.Id,
            content = new
            {
                entryType = "TimelineTimelineItem",
                __typename = "TimelineTimelineItem",
                itemContent = new
                {
                    itemType = "TimelineTweet",
                    __typename = "TimelineTweet",
                    tweet_results = new { result = TweetResult(request, state, p, call.Account) },
                    tweetDisplayType = "Tweet",
                },
            },
        }).ToList();
        // As x.com does, both cursors are always there; an empty page is how a client knows it has read everything.
        entries.Add(Cursor("Top", "DAAB0"));
        entries.Add(Cursor("Bottom", $"DAAB{offset + page.Count}"));
        object[] instructions = [new { type = "TimelineAddEntries", entries }];
        return Results.Json(new { data = wrap(instructions) }, Json);
    }

    private static object Cursor(string type, string value) => new
    {
        entryId = $"cursor-{type.ToLowerInvariant()}-{value}",
        sortIndex = value,
        content = new { entryType = "TimelineTimelineCursor", __typename = "TimelineTimelineCursor", value, cursorType = type },
    };

    private static IEnumerable<SandboxPost> Search(SandboxState state, string rawQuery)
    {
        // Plain words must all appear; operators (from:, filter:, -word, ...) are accepted and not applied.
        var words = rawQuery.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.Contains(':') && !w.StartsWith('-')).ToList();
        return state.Posts.Where(p => words.All(w => p.Text.Contains(w, StringComparison.OrdinalIgnoreCase)));
    }

    private static IResult Engage(HttpRequest request, SandboxState state, WebCall call, string operation, JsonElement variables, TimeProvider time)
    {
        var tweetId = Str(variables, "tweet_id");
        var path = PathOf(operation);
        if (tweetId is null || state.Posts.FirstOrDefault(p => p.Id == tweetId) is not { } post)
        {
            return GraphQlError(144, "_Missing: No status found with that ID.", "NonFatal", "GenericError", path, source: "Server");
        }
        var collection = operation switch { FavoriteTweet => "likes", CreateRetweet => "retweets", _ => "bookmarks" };
        var added = state.Relations.TryAdd($"{collection}:{call.Account.Id}:{post.Id}", time.GetUtcNow());
        switch (operation)
        {
            case FavoriteTweet when !added:
                return GraphQlError(139, "Authorization: Actor has already favorited tweet. (139)", "Permissions", "AuthorizationError", path);
            case FavoriteTweet:
                return Results.Json(new { data = new { favorite_tweet = "Done" } });
            case CreateRetweet when !added:
                return GraphQlError(327, "Authorization: You have already retweeted this Tweet. (327)", "Permissions", "AuthorizationError", path);
            case CreateRetweet:
                return Results.Json(new
                {
                    data = new
                    {
                        create_retweet = new
                        {
                            retweet_results = new
                            {
                                result = new
                                {
                                    rest_id = state.NextPostId(),
                                    legacy = new { full_text = $"RT @{post.Account.Username}: {post.Rendered.Text}" },
                                },
                            },
                        },
                    },
                });
            default:
                return Results.Json(new { data = new { tweet_bookmark_put = "Done" } });
        }
    }

    private static async Task<IResult> UploadAsync(HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time)
    {
        if (V11Gate(http, state, web, time, MediaUpload, out _) is { } refusal)
        {
            return refusal;
        }
        var request = http.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        string? Param(string name) => request.Query[name].ToString() is { Length: > 0 } q ? q : form?[name].ToString() is { Length: > 0 } f ? f : null;

        switch (Param("command"))
        {
            case "INIT":
                var mediaType = Param("media_type");
                if (mediaType is null || !long.TryParse(Param("total_bytes"), CultureInfo.InvariantCulture, out var total) || total <= 0)
                {
                    return UploadError("media_type and total_bytes are required.");
                }
                var max = mediaType == "image/gif" ? GifMaxBytes : mediaType.StartsWith("video/", StringComparison.Ordinal) ? VideoMaxBytes : ImageMaxBytes;
                if (total > max)
                {
                    return UploadError($"File size exceeds {max} bytes.");
                }
                var id = state.NextPostId();
                state.Media[id] = new SandboxMedia(mediaType, total, Param("media_category") ?? "tweet_image");
                return Results.Json(
                    new { media_id = long.Parse(id, CultureInfo.InvariantCulture), media_id_string = id, media_key = $"3_{id}", expires_after_secs = 86_400 },
                    statusCode: 202);
            case "APPEND":
                if (Param("media_id") is not { } appendId || !state.Media.TryGetValue(appendId, out var appended)
                    || form?.Files["media"] is not { } chunk || !int.TryParse(Param("segment_index"), CultureInfo.InvariantCulture, out var segment))
                {
                    return UploadError("Unknown media_id, or media/segment_index missing.");
                }
                appended.Segments[segment] = chunk.Length;
                return Results.StatusCode(204);
            case "FINALIZE":
                if (Param("media_id") is not { } finalId || !state.Media.TryGetValue(finalId, out var finalized))
                {
                    return UploadError("Unknown media_id.");
                }
                if (finalized.Segments.Values.Sum() != finalized.TotalBytes)
                {
                    return UploadError("Segments do not add up to provided total file size.");
                }
                finalized.Finalized = true;
                return Results.Json(MediaAnswer(finalId, finalized), Json, statusCode: 201);
            default:
                return UploadError("Invalid command.");
        }
    }

    private static IResult UploadStatus(HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time)
    {
        if (V11Gate(http, state, web, time, MediaUpload, out _) is { } refusal)
        {
            return refusal;
        }
        return http.Request.Query["command"] == "STATUS" && state.Media.TryGetValue(http.Request.Query["media_id"].ToString(), out var media) && media.Finalized
            ? Results.Json(MediaAnswer(http.Request.Query["media_id"]!, media), Json)
            : UploadError("Unknown media_id.");
    }

    private static object MediaAnswer(string id, SandboxMedia media)
    {
        var video = media.MediaType.StartsWith("video/", StringComparison.Ordinal);
        return new
        {
            media_id = long.Parse(id, CultureInfo.InvariantCulture),
            media_id_string = id,
            media_key = $"{(video ? 7 : 3)}_{id}",
            size = media.TotalBytes,
            expires_after_secs = 86_400,
            image = video ? null : new { image_type = media.MediaType, w = 1200, h = 675 },
            video = video ? new { video_type = media.MediaType } : null,
            // Processing is instant here; x.com makes the client poll STATUS for videos and GIFs.
            processing_info = video ? new { state = "succeeded", progress_percent = 100 } : null,
        };
    }

    private static IResult UploadError(string error) =>
        Results.Json(new { request = "/i/media/upload.json", error }, statusCode: 400);

    private static async Task<IResult> MetadataAsync(HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time)
    {
        if (V11Gate(http, state, web, time, MediaMetadata, out _) is { } refusal)
        {
            return refusal;
        }
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            var root = body.RootElement;
            var id = root.TryGetProperty("media_id", out var m) ? m.ValueKind == JsonValueKind.Number ? m.GetRawText() : m.GetString() : null;
            if (id is null || !state.Media.TryGetValue(id, out var media))
            {
                return V11Error(400, 324, "The validation of media ids failed.");
            }
            var alt = root.TryGetProperty("alt_text", out var a) && a.ValueKind == JsonValueKind.Object ? Str(a, "text") : null;
            if (alt is { Length: > 1000 })
            {
                return V11Error(400, 44, "alt_text.text parameter is invalid.");
            }
            media.AltText = alt;
            return Results.Ok();
        }
        catch (JsonException)
        {
            return V11Error(400, 44, "Request body is not valid JSON.");
        }
    }

    private static async Task<IResult> DirectMessageAsync(HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time)
    {
        if (V11Gate(http, state, web, time, DirectMessage, out var call) is { } refusal)
        {
            return refusal;
        }
        var sender = call!.Account;
        string? conversation, text;
        try
        {
            using var body = await JsonDocument.ParseAsync(http.Request.Body);
            conversation = Str(body.RootElement, "conversation_id");
            text = Str(body.RootElement, "text");
        }
        catch (JsonException)
        {
            return V11Error(400, 44, "Request body is not valid JSON.");
        }
        var ids = conversation?.Split('-') ?? [];
        var recipientId = ids.Length == 2 && ids.Contains(sender.Id) ? ids.First(i => i != sender.Id || ids[0] == ids[1]) : null;
        if (string.IsNullOrEmpty(text))
        {
            return V11Error(400, 38, "text parameter is missing.");
        }
        if (recipientId is null || state.Everyone.FirstOrDefault(a => a.Id == recipientId) is not { } recipient)
        {
            return V11Error(403, 349, "You cannot send messages to this user.");
        }
        var now = time.GetUtcNow();
        var conversationId = string.Join('-', new[] { sender.Id, recipient.Id }.Order(StringComparer.Ordinal));
        var message = new SandboxMessage(state.NextPostId(), conversationId, sender, recipient.Id, text, now);
        state.Messages.Enqueue(message);
        var millis = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        return Results.Json(new
        {
            entries = new[]
            {
                new
                {
                    message = new
                    {
                        id = message.Id, time = millis, affects_sort = true, request_id = http.Request.Query["request_id"].ToString(),
                        conversation_id = conversationId,
                        message_data = new { id = message.Id, time = millis, recipient_id = recipient.Id, sender_id = sender.Id, text },
                    },
                },
            },
            users = new Dictionary<string, object>
            {
                [sender.Id] = new { id_str = sender.Id, screen_name = sender.Username, name = sender.Name },
                [recipient.Id] = new { id_str = recipient.Id, screen_name = recipient.Username, name = recipient.Name },
            },
        });
    }

    // The checks every web call goes through, in x.com's order: the web bearer, the session cookie, the
    // CSRF pair. On success the account's pending ct0 rotation is applied to this answer.
    private static WebCall? Authenticate(HttpContext http, SandboxWebState web, TimeProvider time)
    {
        var request = http.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return Refuse(http, V11Error(400, 215, "Bad Authentication data."));
        }
        if (Uri.UnescapeDataString(authorization["Bearer ".Length..]) != Uri.UnescapeDataString(WebBearerToken))
        {
            return Refuse(http, V11Error(401, 89, "Invalid or expired token."));
        }
        if (web.Session(request.Cookies["auth_token"]) is not { } session)
        {
            return Refuse(http, V11Error(401, 32, "Could not authenticate you."));
        }
        var ct0 = request.Cookies["ct0"];
        if (string.IsNullOrEmpty(ct0) || request.Headers["x-csrf-token"] != ct0 || (session.BoundCt0 is { } bound && bound != ct0))
        {
            // x.com hands a ct0 back with this refusal; it is the one the session accepts from now on.
            SetCt0(http, session.BoundCt0 ??= SandboxWebState.NewCt0(), time);
            return Refuse(http, V11Error(403, 353, "This request requires a matching csrf cookie and header."));
        }
        if (session.RotateOnNextAnswer)
        {
            session.RotateOnNextAnswer = false;
            session.BoundCt0 = SandboxWebState.NewCt0();
            SetCt0(http, session.BoundCt0, time);
        }
        return new WebCall(session.Account, session, web.Controls(session.Account));
    }

    private static WebCall? Refuse(HttpContext http, IResult refusal)
    {
        http.Items[typeof(SandboxWeb)] = refusal;
        return null;
    }

    private static IResult LastRefusal(HttpContext http) => (IResult)http.Items[typeof(SandboxWeb)]!;

    // The non-GraphQL calls answer in v1.1's shapes: {"errors":[{"code","message"}]} with an HTTP error status.
    private static IResult? V11Gate(HttpContext http, SandboxState state, SandboxWebState web, TimeProvider time, string endpoint, out WebCall? caller)
    {
        caller = Authenticate(http, web, time);
        if (caller is not { } call)
        {
            return LastRefusal(http);
        }
        if (call.Controls.Locked)
        {
            return V11Error(403, 326, "To protect our users from spam and other malicious activity, this account is temporarily locked. " +
                "Please log in to https://twitter.com to unlock your account.");
        }
        return Spend(http.Response, state, call, endpoint, time.GetUtcNow()) ? null : RateLimited();
    }

    private static bool Spend(HttpResponse response, SandboxState state, WebCall call, string endpoint, DateTimeOffset now)
    {
        var window = state.RateWindows.GetOrAdd($"web:{endpoint}:{call.Account.Id}", _ => new RateWindow(Per15Minutes[endpoint], TimeSpan.FromMinutes(15)));
        var forced = call.Controls.RateLimitNextCall;
        call.Controls.RateLimitNextCall = false;
        var allowed = !forced && window.TryTake(now);
        // A forced refusal in a window nobody has opened yet still names a reset in the future.
        var reset = window.ResetAt > now ? window.ResetAt : now + window.Length;
        response.Headers["x-rate-limit-limit"] = window.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-rate-limit-remaining"] = (forced ? 0 : window.Remaining).ToString(CultureInfo.InvariantCulture);
        response.Headers["x-rate-limit-reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (!allowed)
        {
            state.CountRateLimitRefusal();
        }
        return allowed;
    }

    private static IResult RateLimited() => V11Error(429, 88, "Rate limit exceeded.");

    private static void SetCt0(HttpContext http, string value, TimeProvider time)
    {
        var expires = time.GetUtcNow().AddSeconds(157_680_000).UtcDateTime.ToString("R", CultureInfo.InvariantCulture);
        // x.com adds Domain=.x.com; a stand-in on any host leaves the cookie host-only, and Secure only over https.
        var secure = http.Request.IsHttps ? " Secure;" : "";
        http.Response.Headers.Append("Set-Cookie", $"ct0={value}; Max-Age=157680000; Expires={expires}; Path=/;{secure} SameSite=Lax");
    }

    private static IResult V11Error(int status, int code, string message) =>
        Results.Json(new { errors = new[] { new { code, message } } }, statusCode: status);

    // X's GraphQL errors come with HTTP 200 (unless said otherwise), the code both at the top and in extensions, and data {}.
    private static IResult GraphQlError(int code, string message, string kind, string name, string? path, int status = 200, string source = "Client")
    {
        var tracing = new { trace_id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) };
        return Results.Json(new
        {
            errors = new[]
            {
                new
                {
                    message,
                    locations = new[] { new { line = 2, column = 3 } },
                    path = path is null ? null : new[] { path },
                    extensions = new { name, source, code, kind, tracing },
                    code,
                    kind,
                    name,
                    source,
                    tracing,
                },
            },
            data = new { },
        }, Json, statusCode: status);
    }

    private static string PathOf(string operation) => operation switch
    {
        CreateTweet => "create_tweet",
        FavoriteTweet => "favorite_tweet",
        CreateRetweet => "create_retweet",
        CreateBookmark => "tweet_bookmark_put",
        HomeLatestTimeline => "home",
        UserTweets => "user",
        _ => "search_by_raw_query",
    };

    private static async Task<(JsonElement Variables, JsonElement Features)> ReadGraphQlRequestAsync(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method))
        {
            return (Parse(request.Query["variables"]), Parse(request.Query["features"]));
        }
        using var body = await JsonDocument.ParseAsync(request.Body);
        var root = body.RootElement;
        return (root.TryGetProperty("variables", out var v) ? v.Clone() : default, root.TryGetProperty("features", out var f) ? f.Clone() : default);
    }

    private static JsonElement Parse(string? json) => string.IsNullOrEmpty(json) ? default : JsonDocument.Parse(json).RootElement.Clone();

    private static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null }
            : null;

    private static string? StatusId(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Host is "x.com" or "twitter.com" or "www.x.com" or "mobile.x.com"
            && uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, "status", var id, ..] && id.All(char.IsAsciiDigit)
                ? id : null;

    // A post as x.com's GraphQL serves it: author under core.user_results, the v1.1-style fields under legacy.
    internal static object TweetResult(HttpRequest request, SandboxState state, SandboxPost post, SandboxAccount viewer)
    {
        var root = post;
        while (root.InReplyToId is { } parentId && state.Posts.FirstOrDefault(p => p.Id == parentId) is { } parent)
        {
            root = parent;
        }
        var inReplyTo = post.InReplyToId is null ? null : state.Posts.FirstOrDefault(p => p.Id == post.InReplyToId);
        var urls = post.Rendered.Entities?.Urls ?? [];
        var pictureLink = post.MediaIds.Count > 0 ? urls[^1] : null;
        int Count(string collection) =>
            state.Relations.Keys.Count(k => k.StartsWith(collection + ":", StringComparison.Ordinal) && k.EndsWith(":" + post.Id, StringComparison.Ordinal));
        bool Did(string collection) => state.Relations.ContainsKey($"{collection}:{viewer.Id}:{post.Id}");
        var media = pictureLink is null ? null : post.MediaIds.Select(id => new
        {
            id_str = id,
            media_key = $"3_{id}",
            type = state.Media.TryGetValue(id, out var m) && m.MediaType == "image/gif" ? "animated_gif"
                : m?.MediaType.StartsWith("video/", StringComparison.Ordinal) == true ? "video"
                : "photo",
            url = pictureLink.Url,
            display_url = pictureLink.DisplayUrl,
            expanded_url = pictureLink.ExpandedUrl,
            indices = new[] { pictureLink.Start, pictureLink.End },
            media_url_https = $"{request.Scheme}://{request.Host}/media/{id}.jpg",
            ext_alt_text = m?.AltText,
        }).ToList();
        return new
        {
            __typename = "Tweet",
            rest_id = post.Id,
            core = new { user_results = new { result = UserResult(request, post.Account) } },
            legacy = new
            {
                id_str = post.Id,
                user_id_str = post.Account.Id,
                full_text = post.Rendered.Text,
                created_at = post.CreatedAt.UtcDateTime.ToString("ddd MMM dd HH:mm:ss +0000 yyyy", CultureInfo.InvariantCulture),
                conversation_id_str = root.Id,
                in_reply_to_status_id_str = post.InReplyToId,
                in_reply_to_user_id_str = inReplyTo?.Account.Id,
                in_reply_to_screen_name = inReplyTo?.Account.Username,
                is_quote_status = post.QuoteOfId is not null,
                quoted_status_id_str = post.QuoteOfId,
                lang = "en",
                display_text_range = new[] { 0, post.Rendered.Text.Length },
                entities = new
                {
                    urls = urls.Where(u => u != pictureLink)
                        .Select(u => new { url = u.Url, expanded_url = u.ExpandedUrl, display_url = u.DisplayUrl, indices = new[] { u.Start, u.End } }),
                    hashtags = Array.Empty<object>(),
                    user_mentions = Array.Empty<object>(),
                    symbols = Array.Empty<object>(),
                    media,
                },
                extended_entities = media is null ? null : new { media },
                favorite_count = Count("likes"),
                retweet_count = Count("retweets"),
                bookmark_count = Count("bookmarks"),
                reply_count = state.Posts.Count(p => p.InReplyToId == post.Id),
                quote_count = state.Posts.Count(p => p.QuoteOfId == post.Id),
                favorited = Did("likes"),
                retweeted = Did("retweets"),
                bookmarked = Did("bookmarks"),
            },
        };
    }

    private static object UserResult(HttpRequest request, SandboxAccount account) => new
    {
        __typename = "User",
        id = Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes("User:" + account.Id)),
        rest_id = account.Id,
        is_blue_verified = false,
        // Newer bundles read the names from core, older ones from legacy; x.com serves both.
        core = new { screen_name = account.Username, name = account.Name },
        legacy = new { screen_name = account.Username, name = account.Name, profile_image_url_https = SandboxApp.Profile(request, account).ProfileImageUrl },
    };

    // What tests and demos use to steer the web path; nothing like it exists on x.com.
    private static void MapControls(WebApplication app)
    {
        var controls = app.MapGroup("/sandbox/web");
        controls.MapGet("/calls", (SandboxWebState web) => Results.Json(new { calls = web.Calls }));
        controls.MapGet("/contract", () => Results.Json(new
        {
            bearer = WebBearerToken,
            query_ids = DefaultQueryIds,
            tweet_features = TweetFeatures,
            timeline_features = TimelineFeatures,
        }));
        controls.MapPost("/accounts/{username}/rotate-ct0", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, a => web.RotateCt0OnNextAnswer(a)));
        controls.MapPost("/accounts/{username}/log-out", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, web.LogOut));
        controls.MapPost("/accounts/{username}/log-in", (string username, SandboxState state, SandboxWebState web) =>
            state.Everyone.FirstOrDefault(a => a.Username == username) is { } account
                ? Results.Json(new { auth_token = web.LogIn(account) })
                : Results.NotFound());
        controls.MapPost("/accounts/{username}/lock", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, a => web.Controls(a).Locked = true));
        controls.MapPost("/accounts/{username}/unlock", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, a => web.Controls(a).Locked = false));
        controls.MapPost("/accounts/{username}/lose-next-create-tweet-answer", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, a => web.Controls(a).LoseNextCreateTweetAnswer = true));
        controls.MapPost("/accounts/{username}/rate-limit-next-call", (string username, SandboxState state, SandboxWebState web) =>
            Act(state, username, a => web.Controls(a).RateLimitNextCall = true));
        controls.MapPost("/query-ids/{operation}/{queryId}", (string operation, string queryId, SandboxWebState web) =>
        {
            if (!web.IsKnownOperation(operation))
            {
                return Results.NotFound();
            }
            web.SetQueryId(operation, queryId);
            return Results.NoContent();
        });
        controls.MapPost("/stale-query-answer/{form}", (string form, SandboxWebState web) =>
        {
            web.StaleQueryAnswer = form == "query-unspecified" ? StaleQueryAnswer.QueryUnspecified : StaleQueryAnswer.NotFound;
            return Results.NoContent();
        });
    }

    private static IResult Act(SandboxState state, string username, Action<SandboxAccount> action)
    {
        if (state.Everyone.FirstOrDefault(a => a.Username == username) is not { } account)
        {
            return Results.NotFound();
        }
        action(account);
        return Results.NoContent();
    }
}
