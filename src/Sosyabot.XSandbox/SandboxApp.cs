using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using Sosyabot.Web.Publishing;

namespace Sosyabot.XSandbox;

// A local stand-in for X: the OAuth 2.0 consent page and token endpoints (Basic client auth, PKCE S256,
// exact redirect URI, 30-second single-use codes, rotating single-use refresh tokens), /2/users/me,
// the web-session check used by cookie connect, POST /2/tweets with X's rate-limit headers, 429s
// and duplicate-content 403s, and DELETE /2/tweets/:id. Posts come back as X gives them (RenderedText).
// The request shapes follow X's documentation, not Sosyabot's code.
public static class SandboxApp
{
    public const int TweetsPerUserPer15Minutes = 100;
    public const int TweetsPerAppPer24Hours = 10_000;
    public const int DeletesPerUserPer15Minutes = 50;

    public static WebApplication Create(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration["PORT"] ?? "5090"}");
        }
        builder.Services.AddSingleton<SandboxState>();
        builder.Services.AddSingleton<SandboxWebState>();
        builder.Services.AddSingleton<SandboxMetricsState>();
        builder.Services.AddSingleton(TimeProvider.System);
        configure?.Invoke(builder);

        var app = builder.Build();
        var clientId = app.Configuration["SANDBOX_CLIENT_ID"] is { Length: > 0 } id ? id : "sandbox-client-id";
        var clientSecret = app.Configuration["SANDBOX_CLIENT_SECRET"] is { Length: > 0 } secret ? secret : "sandbox-client-secret";
        var registeredRedirectUri = app.Configuration["SANDBOX_REDIRECT_URI"];

        app.MapGet("/", (SandboxState state) => Html("X Sandbox", HomePage(state, clientId, clientSecret)));
        app.MapGet("/avatars/{username}.svg", (string username) => Results.Text(Avatar(username), "image/svg+xml"));

        app.MapGet("/i/oauth2/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            var problem =
                q["response_type"] != "code" ? "response_type must be code."
                : q["client_id"] != clientId ? "Unknown client_id: this app is not registered with the sandbox."
                : string.IsNullOrEmpty(q["redirect_uri"]) ? "redirect_uri is missing."
                : registeredRedirectUri is { Length: > 0 } && q["redirect_uri"] != registeredRedirectUri
                    ? $"redirect_uri does not match the registered callback {registeredRedirectUri}."
                : string.IsNullOrEmpty(q["state"]) ? "state is missing."
                : string.IsNullOrEmpty(q["code_challenge"]) || q["code_challenge_method"] != "S256"
                    ? "PKCE is required: code_challenge with code_challenge_method=S256."
                : string.IsNullOrEmpty(q["scope"]) ? "scope is missing."
                : null;
            return problem is not null
                ? Html("Something went wrong", $"<h1>You weren't able to give access to the App.</h1><p class=error>{E(problem)}</p>", 400)
                : Html("Authorize app", ConsentPage(q));
        });

        app.MapPost("/i/oauth2/authorize", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            var form = await request.ReadFormAsync();
            var redirectUri = form["redirect_uri"].ToString();
            var query = new Dictionary<string, string?> { ["state"] = form["state"] };
            if (form["decision"] != "authorize")
            {
                query["error"] = "access_denied";
                return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, query));
            }
            var account = SandboxState.Accounts.FirstOrDefault(a => a.Id == form["account"]) ?? SandboxState.Accounts[0];
            var code = SandboxState.NewSecret();
            state.Codes[code] = new AuthorizationCode(form["client_id"]!, redirectUri, form["code_challenge"]!, form["scope"]!, account, time.GetUtcNow());
            query["code"] = code;
            return Results.Redirect(QueryHelpers.AddQueryString(redirectUri, query));
        });

        app.MapPost("/2/oauth2/token", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (!HasClientCredentials(request, clientId, clientSecret))
            {
                return OAuthError(401, "unauthorized_client", "Missing valid authorization header");
            }
            var form = await request.ReadFormAsync();
            var now = time.GetUtcNow();
            switch (form["grant_type"].ToString())
            {
                case "authorization_code":
                    if (!state.Codes.TryRemove(form["code"].ToString(), out var code) || now - code.IssuedAt > TimeSpan.FromSeconds(30))
                    {
                        return OAuthError(400, "invalid_request", "Value passed for the authorization code was invalid.");
                    }
                    if (code.RedirectUri != form["redirect_uri"])
                    {
                        return OAuthError(400, "invalid_request", "Value passed for the redirect uri did not match the uri of the authorization code.");
                    }
                    var verifier = form["code_verifier"].ToString();
                    if (verifier.Length == 0 || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != code.CodeChallenge)
                    {
                        return OAuthError(400, "invalid_request", "Value passed for the code verifier did not match the code challenge.");
                    }
                    return Results.Json(Issue(state, new Grant(code.Account, code.Scope), now));
                case "refresh_token":
                    var presented = form["refresh_token"].ToString();
                    if (!state.RefreshTokens.TryGetValue(presented, out var grant) || grant.Revoked)
                    {
                        return OAuthError(400, "invalid_request", "Value passed for the token was invalid.");
                    }
                    if (grant.CurrentRefreshToken != presented)
                    {
                        // As X does: a spent refresh token presented again ends the whole grant.
                        grant.Revoked = true;
                        return OAuthError(400, "invalid_request", "Value passed for the token was invalid.");
                    }
                    return Results.Json(Issue(state, grant, now));
                default:
                    return OAuthError(400, "invalid_request", "Missing required parameter [grant_type].");
            }
        });

        app.MapPost("/2/oauth2/revoke", async (HttpRequest request, SandboxState state) =>
        {
            if (!HasClientCredentials(request, clientId, clientSecret))
            {
                return OAuthError(401, "unauthorized_client", "Missing valid authorization header");
            }
            var token = (await request.ReadFormAsync())["token"].ToString();
            if (state.AccessTokens.TryRemove(token, out var access))
            {
                access.Grant.Revoked = true;
            }
            if (state.RefreshTokens.TryGetValue(token, out var grant))
            {
                grant.Revoked = true;
            }
            return Results.Json(new { revoked = true });
        });

        app.MapGet("/2/users/me", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            return account is null ? refusal! : Results.Json(new { data = Profile(request, account) });
        });

        app.MapGet("/i/api/1.1/account/verify_credentials.json", (HttpRequest request, SandboxWebState web) =>
        {
            var session = web.Session(request.Cookies["auth_token"]);
            var account = session?.Account;
            var ct0 = request.Cookies["ct0"];
            if (account is null || string.IsNullOrEmpty(ct0) || request.Headers["x-csrf-token"] != ct0 || (session!.BoundCt0 is { } bound && bound != ct0)
                || request.Headers.Authorization.ToString() is not { Length: > 7 } bearer || !bearer.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                return Results.Json(new { errors = new[] { new { code = 32, message = "Could not authenticate you." } } }, statusCode: 401);
            }
            var profile = Profile(request, account);
            return Results.Json(new
            {
                id_str = account.Id, screen_name = account.Username, name = account.Name, profile_image_url_https = profile.ProfileImageUrl,
            });
        });

        app.MapPost("/2/tweets", async (HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            if (account is null)
            {
                return refusal!;
            }
            var userWindow = state.RateWindows.GetOrAdd($"tweets:user:{account.Id}", _ => new RateWindow(TweetsPerUserPer15Minutes, TimeSpan.FromMinutes(15)));
            var appWindow = state.RateWindows.GetOrAdd("tweets:app", _ => new RateWindow(TweetsPerAppPer24Hours, TimeSpan.FromHours(24)));
            var allowed = userWindow.TryTake(now);
            response.Headers["x-rate-limit-limit"] = userWindow.Limit.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-rate-limit-remaining"] = userWindow.Remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-rate-limit-reset"] = userWindow.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            if (!allowed)
            {
                state.CountRateLimitRefusal();
                return Results.Json(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }, statusCode: 429);
            }
            var appAllowed = appWindow.TryTake(now);
            response.Headers["x-app-limit-24hour-limit"] = appWindow.Limit.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-app-limit-24hour-remaining"] = appWindow.Remaining.ToString(CultureInfo.InvariantCulture);
            response.Headers["x-app-limit-24hour-reset"] = appWindow.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            if (!appAllowed)
            {
                state.CountRateLimitRefusal();
                return Results.Json(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }, statusCode: 429);
            }

            var body = await request.ReadFromJsonAsync<TweetRequest>();
            if (string.IsNullOrWhiteSpace(body?.Text))
            {
                return Results.Json(new
                {
                    title = "Invalid Request",
                    detail = "One or more parameters to your request was invalid.",
                    type = "https://api.twitter.com/2/problems/invalid-request",
                    status = 400,
                }, statusCode: 400);
            }
            if (state.PostLatency > TimeSpan.Zero)
            {
                await Task.Delay(state.PostLatency);
            }
            if (state.Posts.Any(p => p.Account.Id == account.Id && p.Text == body.Text))
            {
                state.CountDuplicateRefusal();
                return Results.Json(new
                {
                    title = "Forbidden",
                    detail = "You are not allowed to create a Tweet with duplicate content.",
                    type = "about:blank",
                    status = 403,
                }, statusCode: 403);
            }
            // X's weighted length: 280, or 25,000 for an account whose subscription includes long posts.
            var weighted = TweetText.Measure(body.Text).WeightedLength;
            if (weighted > (account.MayPostLong ? LongPostLength : TweetText.MaxWeightedLength))
            {
                return Results.Json(new
                {
                    title = "Forbidden",
                    detail = "Your Tweet text is too long. For more information on how Twitter determines text length see https://github.com/twitter/twitter-text.",
                    type = "about:blank",
                    status = 403,
                }, statusCode: 403);
            }
            var mediaIds = body.Media?.MediaIds ?? [];
            // As X: a media id is usable once uploaded, finalized and (for GIFs and videos) processed; one still
            // processing is as invalid as an unknown one.
            if (mediaIds.Any(id => !state.Media.TryGetValue(id, out var m) || !m.Usable))
            {
                if (mediaIds.Any(id => state.Media.TryGetValue(id, out var m) && m.ProcessingState is "pending" or "in_progress"))
                {
                    state.CountMediaNotReadyRefusal();
                }
                return Results.Json(new
                {
                    title = "Invalid Request",
                    detail = "Your media IDs are invalid.",
                    type = "https://api.twitter.com/2/problems/invalid-request",
                    status = 400,
                    errors = new[] { new { message = "Your media IDs are invalid.", parameters = new { media_ids = mediaIds } } },
                }, statusCode: 400);
            }
            var id = state.NextPostId();
            var kind = mediaIds.Count > 0 && state.Media[mediaIds[0]].Category == "tweet_video" ? "video" : "photo";
            var rendered = RenderedText.Of(body.Text, mediaIds.Count == 0 ? null : $"https://x.com/{account.Username}/status/{id}/{kind}/1");
            var post = new SandboxPost(id, account, body.Text, rendered, now, mediaIds, body.Reply?.InReplyToTweetId, body.QuoteTweetId)
            {
                IsLong = weighted > TweetText.MaxWeightedLength,
            };
            state.AddPost(post);
            return Results.Json(new { data = new { id = post.Id, text = post.Rendered.Text, edit_history_tweet_ids = new[] { post.Id } } }, statusCode: 201);
        });

        app.MapDelete("/2/tweets/{id}", async (string id, HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
        {
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            if (account is null)
            {
                return refusal!;
            }
            if (!SandboxAgentEndpoints.Spend(response, state, $"delete:{account.Id}", DeletesPerUserPer15Minutes, time.GetUtcNow()))
            {
                return SandboxAgentEndpoints.TooManyRequests();
            }
            var post = state.Posts.FirstOrDefault(p => p.Id == id);
            if (post is null)
            {
                return Results.Json(new
                {
                    title = "Not Found Error",
                    detail = $"Could not find tweet with id: [{id}].",
                    type = "https://api.twitter.com/2/problems/resource-not-found",
                    status = 404,
                }, statusCode: 404);
            }
            if (post.Account.Id != account.Id)
            {
                return Results.Json(new
                {
                    title = "Forbidden",
                    detail = "You are not authorized to delete this Tweet.",
                    type = "about:blank",
                    status = 403,
                }, statusCode: 403);
            }
            state.TryDeletePost(post);
            return Results.Json(new { data = new { deleted = true } });
        });

        app.MapGet("/2/users/{id}/tweets", async (string id, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.CallerAsync(request, state, time) is null)
            {
                return SandboxAuth.Unauthorized();
            }
            var since = DateTimeOffset.TryParse(request.Query["start_time"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var start)
                ? start : DateTimeOffset.MinValue;
            return SandboxAgentEndpoints.PostPage(state.Posts.Where(p => p.Account.Id == id && p.CreatedAt >= since), request.Query, "pagination_token");
        });

        app.MapGet("/{username}/status/{id}", (string username, string id, SandboxState state) =>
            state.Posts.FirstOrDefault(p => p.Id == id && p.Account.Username == username) is { } post
                ? Html($"@{post.Account.Username}",
                    $"<h1>{E(post.Account.Name)} <span class=muted>@{E(post.Account.Username)}</span></h1><p class=post>{E(post.Text)}</p>" +
                    $"<p class=muted>{post.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC · {post.Id}</p>")
                : Html("Not found", "<h1>This post doesn't exist.</h1>", 404));

        // X's v2 media upload: initialize, append chunks (1 MB at most), finalize, STATUS while a GIF or video is
        // processed; alt text through /2/media/metadata.
        app.MapPost("/2/media/upload/initialize", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.UserAsync(request, state, time) is (null, var refusal))
            {
                return refusal!;
            }
            var body = await request.ReadFromJsonAsync<MediaInitialize>();
            if (body is null || body.TotalBytes <= 0 || string.IsNullOrEmpty(body.MediaType))
            {
                return InvalidMedia("media_type and total_bytes are required.");
            }
            var category = body.MediaCategory ?? (body.MediaType == "video/mp4" ? "tweet_video" : body.MediaType == "image/gif" ? "tweet_gif" : "tweet_image");
            if (!MediaLimits.TryGetValue(category, out var limit))
            {
                return InvalidMedia($"media_category must be one of {string.Join(", ", MediaLimits.Keys)}.");
            }
            if (body.TotalBytes > limit)
            {
                return InvalidMedia($"total_bytes {body.TotalBytes} is over the {limit / 1024 / 1024} MB that {category} takes.");
            }
            if (category == "tweet_video" && body.MediaType != "video/mp4")
            {
                return InvalidMedia($"media_type {body.MediaType} is not supported for tweet_video; use video/mp4.");
            }
            var id = state.NextPostId();
            state.Media[id] = new SandboxMedia(body.MediaType, body.TotalBytes, category);
            return Results.Json(new { data = new { id, media_key = MediaKey(category, id), expires_after_secs = 86_400 } });
        });

        app.MapPost("/2/media/upload/{id}/append", async (string id, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.UserAsync(request, state, time) is (null, var refusal))
            {
                return refusal!;
            }
            var form = await request.ReadFormAsync();
            if (!state.Media.TryGetValue(id, out var media) || form.Files["media"] is not { } chunk || !int.TryParse(form["segment_index"], out var segment))
            {
                return InvalidMedia("Unknown media id, or media/segment_index missing.");
            }
            if (media.Finalized)
            {
                return InvalidMedia("This media was already finalized.");
            }
            if (chunk.Length > MaxChunkBytes)
            {
                return InvalidMedia($"A chunk may be at most {MaxChunkBytes} bytes; segment {segment} has {chunk.Length}.");
            }
            if (segment == 0)
            {
                var head = new byte[Math.Min(12, (int)chunk.Length)];
                await using var content = chunk.OpenReadStream();
                await content.ReadExactlyAsync(head);
                media.Head = head;
            }
            media.Segments[segment] = chunk.Length;
            return Results.Json(new { data = new { expires_at = time.GetUtcNow().AddDays(1).ToUnixTimeSeconds() } });
        });

        app.MapPost("/2/media/upload/{id}/finalize", async (string id, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.UserAsync(request, state, time) is (null, var refusal))
            {
                return refusal!;
            }
            if (!state.Media.TryGetValue(id, out var media) || media.Segments.Values.Sum() != media.TotalBytes)
            {
                return InvalidMedia("The uploaded chunks do not add up to total_bytes.");
            }
            media.Finalized = true;
            if (media.Category is "tweet_video" or "tweet_gif")
            {
                media.ProcessingState = "pending";
                media.CheckAfter = time.GetUtcNow().AddSeconds(state.MediaCheckAfterSeconds);
            }
            return Results.Json(MediaStatus(state, id, media), NullsLeftOut);
        });

        // STATUS, as X keeps it on the upload endpoint. Each poll at or after check_after_secs moves processing one
        // step: pending, in_progress (progress_percent growing), then succeeded, or failed when the file is not a video.
        app.MapGet("/2/media/upload", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.UserAsync(request, state, time) is (null, var refusal))
            {
                return refusal!;
            }
            if (request.Query["command"] != "STATUS" || request.Query["media_id"].ToString() is not { Length: > 0 } id)
            {
                return InvalidMedia("command=STATUS and media_id are required.");
            }
            if (!state.Media.TryGetValue(id, out var media) || !media.Finalized)
            {
                return Results.Json(new { title = "Not Found", status = 404, detail = "Unknown media id." }, statusCode: 404);
            }
            var now = time.GetUtcNow();
            lock (media)
            {
                if (media.ProcessingState is "pending" or "in_progress" && now >= media.CheckAfter)
                {
                    media.StatusPolls++;
                    media.CheckAfter = now.AddSeconds(state.MediaCheckAfterSeconds);
                    if (media.Category == "tweet_video" && media.Head is not [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', ..])
                    {
                        media.ProcessingState = "failed";
                        media.ProcessingError = "Unsupported video format";
                    }
                    else
                    {
                        media.ProcessingState = media.StatusPolls >= state.MediaProcessingPolls ? "succeeded" : "in_progress";
                    }
                }
            }
            return Results.Json(MediaStatus(state, id, media), NullsLeftOut);
        });

        app.MapPost("/2/media/metadata", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.UserAsync(request, state, time) is (null, var refusal))
            {
                return refusal!;
            }
            using var body = await System.Text.Json.JsonDocument.ParseAsync(request.Body);
            var id = body.RootElement.GetProperty("id").GetString()!;
            if (!state.Media.TryGetValue(id, out var media))
            {
                return Results.Json(new { title = "Not Found", status = 404, detail = "Unknown media id." }, statusCode: 404);
            }
            media.AltText = body.RootElement.GetProperty("metadata").GetProperty("alt_text").GetProperty("text").GetString();
            return Results.Json(new { data = new { associated_metadata = true, id } });
        });

        app.MapAgentEndpoints();
        app.MapWebClientEndpoints();
        app.MapMetricsEndpoints();

        app.MapGet("/sandbox/stats", (SandboxState state) => new
        {
            posts = state.PostCount,
            duplicate_refusals = state.DuplicateRefusals,
            rate_limit_refusals = state.RateLimitRefusals,
            media_not_ready_refusals = state.MediaNotReadyRefusals,
        });

        app.MapGet("/sandbox/posts", (SandboxState state) =>
            state.Posts.Select(p => new
            {
                id = p.Id, username = p.Account.Username, text = p.Text, created_at = p.CreatedAt,
                media = p.MediaIds.Select(m => new { id = m, alt_text = state.Media[m].AltText, media_category = state.Media[m].Category }),
            }));

        return app;
    }

    private sealed record TweetRequest(
        string? Text,
        TweetMediaRequest? Media,
        TweetReplyRequest? Reply,
        [property: JsonPropertyName("quote_tweet_id")] string? QuoteTweetId);

    private sealed record TweetReplyRequest([property: JsonPropertyName("in_reply_to_tweet_id")] string? InReplyToTweetId);

    private sealed record TweetMediaRequest([property: JsonPropertyName("media_ids")] List<string>? MediaIds);

    private sealed record MediaInitialize(
        [property: JsonPropertyName("media_type")] string? MediaType,
        [property: JsonPropertyName("total_bytes")] long TotalBytes,
        [property: JsonPropertyName("media_category")] string? MediaCategory);

    private const int MaxChunkBytes = 1024 * 1024;
    private const int LongPostLength = 25_000;

    // X's limits per media_category: images 5 MB, GIFs 15 MB, videos 512 MB.
    private static readonly Dictionary<string, long> MediaLimits = new()
    {
        ["tweet_image"] = 5L * 1024 * 1024,
        ["tweet_gif"] = 15L * 1024 * 1024,
        ["tweet_video"] = 512L * 1024 * 1024,
    };

    private static readonly System.Text.Json.JsonSerializerOptions NullsLeftOut = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    // X's media keys name the kind: 3_ images, 7_ videos, 16_ animated GIFs.
    private static string MediaKey(string category, string id) => category switch
    {
        "tweet_video" => "7_" + id,
        "tweet_gif" => "16_" + id,
        _ => "3_" + id,
    };

    private static IResult InvalidMedia(string detail) =>
        Results.Json(new { title = "Invalid Request", status = 400, detail, type = "https://api.twitter.com/2/problems/invalid-request" }, statusCode: 400);

    private static object MediaStatus(SandboxState state, string id, SandboxMedia media) => new
    {
        data = new
        {
            id,
            media_key = MediaKey(media.Category, id),
            size = media.TotalBytes,
            expires_after_secs = 86_400,
            processing_info = media.ProcessingState switch
            {
                null => null,
                "pending" => (object)new { state = "pending", check_after_secs = state.MediaCheckAfterSeconds },
                "in_progress" => new
                {
                    state = "in_progress", check_after_secs = state.MediaCheckAfterSeconds,
                    progress_percent = 100 * media.StatusPolls / state.MediaProcessingPolls,
                },
                "failed" => new { state = "failed", progress_percent = 100 * media.StatusPolls / state.MediaProcessingPolls,
                    error = new { code = 1, name = "InvalidMedia", message = media.ProcessingError } },
                _ => new { state = "succeeded", progress_percent = 100 },
            },
        },
    };

    private static object Issue(SandboxState state, Grant grant, DateTimeOffset now)
    {
        var access = SandboxState.NewSecret();
        state.AccessTokens[access] = new AccessToken(grant, now.AddHours(2));
        string? refresh = null;
        if (grant.Scope.Split(' ').Contains("offline.access"))
        {
            refresh = SandboxState.NewSecret();
            grant.CurrentRefreshToken = refresh;
            state.RefreshTokens[refresh] = grant;
        }
        return new { token_type = "bearer", expires_in = 7200, access_token = access, scope = grant.Scope, refresh_token = refresh };
    }

    private static bool HasClientCredentials(HttpRequest request, string clientId, string clientSecret)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) || header.Scheme != "Basic" || header.Parameter is null)
        {
            return false;
        }
        try
        {
            var pair = Encoding.ASCII.GetString(Convert.FromBase64String(header.Parameter)).Split(':', 2);
            return pair.Length == 2 && Uri.UnescapeDataString(pair[0]) == clientId && Uri.UnescapeDataString(pair[1]) == clientSecret;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static IResult OAuthError(int status, string error, string description) =>
        Results.Json(new { error, error_description = description }, statusCode: status);

    // As X: subscription_type only when user.fields asks for it.
    internal static UserJson Profile(HttpRequest request, SandboxAccount account) =>
        new(account.Id, account.Name, account.Username, $"{request.Scheme}://{request.Host}/avatars/{account.Username}.svg",
            request.Query["user.fields"].ToString().Split(',').Contains("subscription_type") ? account.SubscriptionType : null);

    internal sealed record UserJson(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("username")] string Username,
        [property: JsonPropertyName("profile_image_url")] string ProfileImageUrl,
        [property: JsonPropertyName("subscription_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SubscriptionType = null);

    private static string E(string? text) => HtmlEncoder.Default.Encode(text ?? "");

    private static IResult Html(string title, string body, int status = 200) => Results.Content($$"""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{E(title)}} · X Sandbox</title>
        <style>
          body{font-family:system-ui,sans-serif;background:#000;color:#e7e9ea;margin:0;padding:2rem;}
          main{max-width:760px;margin:0 auto;background:#16181c;border-radius:16px;padding:1.5rem 2rem;}
          h1{font-size:1.4rem} .muted{color:#71767b} .error{color:#f4212e}
          button{font:inherit;font-weight:700;border-radius:999px;padding:.6rem 1.4rem;border:1px solid #536471;cursor:pointer;margin-right:.6rem}
          .primary{background:#eff3f4;color:#0f1419} .cancel{background:transparent;color:#eff3f4}
          code{background:#202327;padding:.1em .3em;border-radius:4px;word-break:break-all} li{margin:.3rem 0} table{width:100%;border-collapse:collapse}
          td,th{text-align:left;padding:.3rem;border-bottom:1px solid #2f3336}
        </style></head><body><main>{{body}}</main></body></html>
        """, "text/html; charset=utf-8", statusCode: status);

    private static readonly string[] ConsentFields = ["client_id", "redirect_uri", "state", "code_challenge", "scope"];

    private static string ConsentPage(IQueryCollection q)
    {
        var hidden = string.Concat(ConsentFields.Select(name => $"<input type=hidden name=\"{name}\" value=\"{E(q[name])}\">"));
        var accounts = string.Concat(SandboxState.Accounts.Select((a, i) =>
            $"<label style=\"display:block\"><input type=radio name=account value=\"{a.Id}\"{(i == 0 ? " checked" : "")}> " +
            $"{E(a.Name)} <span class=muted>@{E(a.Username)}</span></label>"));
        var scopes = string.Concat(q["scope"].ToString().Split(' ').Select(s => $"<li><code>{E(s)}</code></li>"));
        return $"""
            <h1>Sosyabot wants to access your X account</h1>
            <p class=muted>X Sandbox: a local stand-in for X's consent page. Choose the account to authorize as.</p>
            <form method=post action="/i/oauth2/authorize">{hidden}
              <fieldset style="border:0;padding:0"><legend>Account</legend>{accounts}</fieldset>
              <p>It will be able to:</p><ul>{scopes}</ul>
              <button class=primary name=decision value=authorize id=authorize>Authorize app</button>
              <button class=cancel name=decision value=cancel id=cancel>Cancel</button>
            </form>
            """;
    }

    private static string HomePage(SandboxState state, string clientId, string clientSecret)
    {
        var accounts = string.Concat(SandboxState.Accounts.Select(a =>
        {
            var posts = state.Posts.Where(p => p.Account.Id == a.Id).Reverse().ToList();
            var rows = posts.Count == 0
                ? "<tr><td class=muted colspan=2>Nothing posted yet.</td></tr>"
                : string.Concat(posts.Select(p =>
                    $"<tr class=post><td>{E(p.Text)}</td><td class=muted>{p.CreatedAt:yyyy-MM-dd HH:mm:ss} UTC · {p.Id}</td></tr>"));
            return $"""
                <section class=account data-username="{a.Username}"><h2>{E(a.Name)} <span class=muted>@{E(a.Username)}</span></h2>
                <p class=muted>Cookie connect: auth_token <code>{a.WebAuthToken}</code>, ct0: any 32+ hex characters.</p>
                <table><tbody>{rows}</tbody></table></section>
                """;
        }));
        var keys = string.Concat(SandboxState.Accounts.Select(a =>
            $"<tr><td>@{E(a.Username)}</td><td><code>{E(a.AccessToken)}</code></td><td><code>{E(a.AccessTokenSecret)}</code></td></tr>"));
        return $"""
            <h1>X Sandbox</h1>
            <p>OAuth 2.0 client: Client ID <code>{E(clientId)}</code>, Client Secret <code>{E(clientSecret)}</code>.</p>
            <section id=api-keys><h2>Developer app keys (Connect with API keys)</h2>
            <p>API key <code>{SandboxAuth.ConsumerKey}</code>, API key secret <code>{SandboxAuth.ConsumerSecret}</code>,
            bearer token <code>{SandboxAuth.AppBearerToken}</code>.</p>
            <table><thead><tr><th>Account</th><th>Access token</th><th>Access token secret</th></tr></thead><tbody>{keys}</tbody></table></section>
            {accounts}
            """;
    }

    private static string Avatar(string username)
    {
        var hue = username.Aggregate(0, (h, c) => (h * 31 + c) % 360);
        var initial = E(username.Replace("sandbox_", "", StringComparison.Ordinal)[..1].ToUpperInvariant());
        return $"""<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" rx="48" fill="hsl({hue},60%,45%)"/>""" +
            $"""<text x="48" y="62" font-size="44" text-anchor="middle" fill="#fff" font-family="sans-serif">{initial}</text></svg>""";
    }
}
