using System.Buffers;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Agents;

// /api/v1 for a workspace's agents: each call names one of the token's workspace's channels, and answers
// JSON carrying X's own ids and pagination tokens. Failures are problem details that say what to do.
public static class AgentApi
{
    public const string Tag = "Agents";

    // JSON bodies: a post's text, thread and descriptions fit in 2 MB even written as \u escapes.
    public const long MaxBodyBytes = 2 * 1024 * 1024;

    // What a post can carry (four 5 MB images or one 15 MB GIF) in base64, with the rest of the body: refused
    // (413) from its declared length before any of it is read.
    public const long MaxCreatePostBodyBytes = (ImageContent.MaxPostMediaBytes + 2) / 3 * 4 + MaxBodyBytes;

    public const string WhatFits =
        "A post carries up to 4 images of 5 MB each, or one GIF of 15 MB, or one MP4 video of 20 MB, base64-encoded in its JSON body.";

    public static RouteGroupBuilder MapAgentApi(this IEndpointRouteBuilder app)
    {
        // Every call passes the token guard: 401 without a valid token, 403 without the scope (or when the channel cannot do it).
        var api = app.MapGroup("/api/v1")
            .WithTags(Tag)
            .AddEndpointFilter(ProblemsFromFailuresAsync)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        var read = ApiTokenDefaults.PolicyFor(ApiScopes.Read);
        var write = ApiTokenDefaults.PolicyFor(ApiScopes.Write);
        var dm = ApiTokenDefaults.PolicyFor(ApiScopes.Dm);

        api.MapGet("/channels", ListChannelsAsync).RequireAuthorization(read).WithName("listChannels")
            .WithSummary("The workspace's connected X accounts (read).");
        api.MapPost("/channels/{channelId:guid}/posts", CreatePostAsync).RequireAuthorization(write).WithName("createPost")
            .WithMetadata(new RequestSizeLimitAttribute(MaxCreatePostBodyBytes))
            .Accepts<CreatePostRequest>("application/json")
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesNotFoundOrConflict()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Queue a post, thread, reply or quote, with images, now, at scheduled_at or in the channel's next free posting slot " +
                         "(queue: true; due_at says when); or keep it as a draft (write). X's limits are respected; poll the returned status.");
        api.MapPostsApi();
        api.MapGet("/channels/{channelId:guid}/timeline", TimelineAsync).RequireAuthorization(read).WithName("getTimeline")
            .CallsX()
            .WithSummary("A user's posts, newest first: the channel's own unless user_id is given (read).");
        api.MapGet("/channels/{channelId:guid}/home-timeline", HomeTimelineAsync).RequireAuthorization(read).WithName("getHomeTimeline")
            .CallsX()
            .WithSummary("The account's home timeline, newest first (read; X serves it to user context: OAuth 2.0, API keys with an access token, cookies).");
        api.MapGet("/channels/{channelId:guid}/mentions", MentionsAsync).RequireAuthorization(read).WithName("getMentions")
            .CallsX()
            .WithSummary("Posts mentioning a user: the channel's own account unless user_id is given (read).");
        api.MapGet("/channels/{channelId:guid}/search", SearchAsync).RequireAuthorization(read).WithName("searchPosts")
            .CallsX()
            .WithSummary("Search posts of the last seven days with X's query syntax (read).");
        api.MapGet("/channels/{channelId:guid}/bookmarks", BookmarksAsync).RequireAuthorization(read).WithName("listBookmarks")
            .CallsX()
            .WithSummary("The account's bookmarks (read; OAuth 2.0 channels only, as X serves them).");
        foreach (var (relation, on, onSummary, off, offSummary) in new[]
                 {
                     (XTweetRelation.Likes, "likePost", "Like a post", "unlikePost", "Remove a like"),
                     (XTweetRelation.Retweets, "retweetPost", "Retweet a post", "undoRetweet", "Undo a retweet"),
                     (XTweetRelation.Bookmarks, "bookmarkPost", "Bookmark a post", "removeBookmark", "Remove a bookmark"),
                 })
        {
            var collection = relation.ToString().ToLowerInvariant();
            var only = relation == XTweetRelation.Bookmarks ? "; OAuth 2.0 channels only" : "";
            api.MapPost($"/channels/{{channelId:guid}}/{collection}",
                    (Guid channelId, TweetReference body, HttpContext http, AgentActions actions, CancellationToken ct) =>
                    SetRelationAsync(channelId, relation, body.TweetId, true, http, actions, ct))
                .RequireAuthorization(write).WithName(on).CallsX().WithSummary($"{onSummary} (write{only}).");
            api.MapDelete($"/channels/{{channelId:guid}}/{collection}/{{tweetId}}",
                    (Guid channelId, string tweetId, HttpContext http, AgentActions actions, CancellationToken ct) =>
                    SetRelationAsync(channelId, relation, tweetId, false, http, actions, ct))
                .RequireAuthorization(write).WithName(off).CallsX().WithSummary($"{offSummary} (write{only}).");
        }
        api.MapPost("/channels/{channelId:guid}/direct-messages", SendDirectMessageAsync).RequireAuthorization(dm).WithName("sendDirectMessage")
            .CallsX()
            .WithSummary("Send a direct message to one person (dm).");
        api.MapGet("/channels/{channelId:guid}/direct-messages", DirectMessagesAsync).RequireAuthorization(dm).WithName("listDirectMessages")
            .CallsX()
            .WithSummary("The account's recent direct message events, newest first (dm).");
        return api;
    }

    // The problems ProblemsFromFailuresAsync answers, documented on the operations that can meet them.
    internal static RouteHandlerBuilder ProducesNotFoundOrConflict(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict);

    internal static RouteHandlerBuilder CallsX(this RouteHandlerBuilder endpoint) => endpoint
        .ProducesNotFoundOrConflict()
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status502BadGateway)
        .ProducesProblem(StatusCodes.Status504GatewayTimeout);

    private static async Task<Ok<List<ChannelResponse>>> ListChannelsAsync(HttpContext http, AgentActions actions, CancellationToken cancellationToken) =>
        TypedResults.Ok((await actions.ListChannelsAsync(AgentCaller.From(http.User), cancellationToken)).Select(ChannelResponse.From).ToList());

    private static async Task<Results<Accepted<PostResponse>, Created<PostResponse>, ValidationProblem>> CreatePostAsync(
        Guid channelId, CreatePostRequest request, HttpContext http, AgentActions actions, PostLifecycle lifecycle, ChannelAccessWarnings warnings,
        CancellationToken cancellationToken)
    {
        if (request.Problems() is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }
        var caller = AgentCaller.From(http.User);
        if (request.Draft == true)
        {
            var draft = await actions.SaveDraftAsync(caller, channelId, request.ToDraft(), cancellationToken);
            return TypedResults.Created($"/api/v1/posts/{draft.Id}",
                PostResponse.From(await lifecycle.GetAsync(caller.WorkspaceId, draft.Id, cancellationToken)));
        }
        var (post, channel) = await actions.QueuePostAsync(caller, channelId, request.ToDraft(), cancellationToken);
        return TypedResults.Accepted($"/api/v1/posts/{post.Id}", PostResponse.From(post, [channel]) with
        {
            Warnings = NullIfEmpty(await warnings.ForAsync([channel], post.DueAt, cancellationToken)),
        });
    }

    internal static IReadOnlyList<string>? NullIfEmpty(IReadOnlyList<string> warnings) => warnings.Count == 0 ? null : warnings;

    private static Task<Results<Ok<TweetPageResponse>, ValidationProblem>> TimelineAsync(
        Guid channelId, [FromQuery(Name = "user_id")] string? userId, [FromQuery(Name = "max_results")] int? maxResults,
        [FromQuery(Name = "pagination_token")] string? paginationToken, HttpContext http, AgentActions actions, CancellationToken cancellationToken) =>
        UserPostsAsync(actions.TimelineAsync, channelId, userId, maxResults, paginationToken, http, cancellationToken);

    private static async Task<Results<Ok<TweetPageResponse>, ValidationProblem>> HomeTimelineAsync(
        Guid channelId, [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "pagination_token")] string? paginationToken,
        HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        if (PageProblems(maxResults, 1, null) is { } problems)
        {
            return problems;
        }
        var page = await actions.HomeTimelineAsync(AgentCaller.From(http.User), channelId, new XPageRequest(maxResults, paginationToken), cancellationToken);
        return TypedResults.Ok(TweetPageResponse.From(page));
    }

    private static Task<Results<Ok<TweetPageResponse>, ValidationProblem>> MentionsAsync(
        Guid channelId, [FromQuery(Name = "user_id")] string? userId, [FromQuery(Name = "max_results")] int? maxResults,
        [FromQuery(Name = "pagination_token")] string? paginationToken, HttpContext http, AgentActions actions, CancellationToken cancellationToken) =>
        UserPostsAsync(actions.MentionsAsync, channelId, userId, maxResults, paginationToken, http, cancellationToken);

    private static async Task<Results<Ok<TweetPageResponse>, ValidationProblem>> UserPostsAsync(
        Func<AgentCaller, Guid, string?, XPageRequest, CancellationToken, Task<XTweetPage>> read,
        Guid channelId, string? userId, int? maxResults, string? paginationToken, HttpContext http, CancellationToken cancellationToken)
    {
        if (PageProblems(maxResults, 5, userId) is { } problems)
        {
            return problems;
        }
        var page = await read(AgentCaller.From(http.User), channelId, userId, new XPageRequest(maxResults, paginationToken), cancellationToken);
        return TypedResults.Ok(TweetPageResponse.From(page));
    }

    private static async Task<Results<Ok<TweetPageResponse>, ValidationProblem>> SearchAsync(
        Guid channelId, [FromQuery(Name = "query")] string? query, [FromQuery(Name = "max_results")] int? maxResults,
        [FromQuery(Name = "next_token")] string? nextToken, HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > 512)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["query"] = ["Give a search query of 1 to 512 characters in X's query syntax."],
            });
        }
        if (PlainText.Problem(query) is { } queryProblem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["query"] = [$"The query {queryProblem}"] });
        }
        if (PageProblems(maxResults, 10, null) is { } problems)
        {
            return problems;
        }
        var page = await actions.SearchAsync(AgentCaller.From(http.User), channelId, query, new XPageRequest(maxResults, nextToken), cancellationToken);
        return TypedResults.Ok(TweetPageResponse.From(page));
    }

    private static async Task<Results<Ok<TweetPageResponse>, ValidationProblem>> BookmarksAsync(
        Guid channelId, [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "pagination_token")] string? paginationToken,
        HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        if (PageProblems(maxResults, 1, null) is { } problems)
        {
            return problems;
        }
        var page = await actions.BookmarksAsync(AgentCaller.From(http.User), channelId, new XPageRequest(maxResults, paginationToken), cancellationToken);
        return TypedResults.Ok(TweetPageResponse.From(page));
    }

    private static async Task<Results<Ok<RelationResponse>, ValidationProblem>> SetRelationAsync(
        Guid channelId, XTweetRelation relation, string? tweetId, bool on, HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        if (!IsXId(tweetId))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tweet_id"] = ["tweet_id must be the numeric id of an X post."] });
        }
        await actions.SetRelationAsync(AgentCaller.From(http.User), channelId, relation, tweetId!, on, cancellationToken);
        return TypedResults.Ok(new RelationResponse(tweetId!, relation.ToString().ToLowerInvariant(), on));
    }

    private static async Task<Results<Ok<SentMessageResponse>, ValidationProblem>> SendDirectMessageAsync(
        Guid channelId, DirectMessageRequest request, HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        var problems = new Dictionary<string, string[]>();
        if (!IsXId(request.ParticipantId))
        {
            problems["participant_id"] = ["participant_id must be the numeric X user id of the person to write to."];
        }
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > 10_000)
        {
            problems["text"] = ["A direct message needs text, up to 10,000 characters."];
        }
        else if (PlainText.Problem(request.Text, multiline: true) is { } textProblem)
        {
            problems["text"] = [$"The text {textProblem}"];
        }
        if (problems.Count > 0)
        {
            return TypedResults.ValidationProblem(problems);
        }
        var sent = await actions.SendDirectMessageAsync(AgentCaller.From(http.User), channelId, request.ParticipantId!, request.Text!, cancellationToken);
        return TypedResults.Ok(SentMessageResponse.From(sent));
    }

    private static async Task<Results<Ok<MessagePageResponse>, ValidationProblem>> DirectMessagesAsync(
        Guid channelId, [FromQuery(Name = "max_results")] int? maxResults, [FromQuery(Name = "pagination_token")] string? paginationToken,
        HttpContext http, AgentActions actions, CancellationToken cancellationToken)
    {
        if (PageProblems(maxResults, 1, null) is { } problems)
        {
            return problems;
        }
        var page = await actions.DirectMessagesAsync(AgentCaller.From(http.User), channelId, new XPageRequest(maxResults, paginationToken), cancellationToken);
        return TypedResults.Ok(MessagePageResponse.From(page));
    }

    private static ValidationProblem? PageProblems(int? maxResults, int minimum, string? userId)
    {
        var problems = new Dictionary<string, string[]>();
        if (maxResults is { } max && (max < minimum || max > 100))
        {
            problems["max_results"] = [$"max_results is between {minimum} and 100."];
        }
        if (userId is not null && !IsXId(userId))
        {
            problems["user_id"] = ["user_id must be a numeric X user id."];
        }
        return problems.Count > 0 ? TypedResults.ValidationProblem(problems) : null;
    }

    internal static bool IsXId(string? id) => id is { Length: > 0 and <= 20 } && id.All(char.IsAsciiDigit);

    // Turns what went wrong into problem details an agent's developer can act on.
    private static async ValueTask<object?> ProblemsFromFailuresAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var now = http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        try
        {
            return await next(context);
        }
        catch (Exception ex) when (ex is ChannelNotFoundException or PostNotFoundException)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }
        catch (ChannelRefusedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status403Forbidden, title: "The channel cannot do this");
        }
        catch (ChannelNeedsReconnectException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "The channel needs reconnecting");
        }
        catch (PostConflictException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "The post cannot be changed that way now");
        }
        catch (DraftRejectedException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["post"] = [.. ex.Problems] });
        }
        catch (RateBudgetSpentException ex)
        {
            return RateLimited(http, ex.ResetAt, now, $"{ChannelGuidance.RateLimited(ex.ResetAt, now)} ({ex.Window.Description}; nothing was sent to X.)");
        }
        catch (XApiException ex) when (ex.Status == System.Net.HttpStatusCode.TooManyRequests)
        {
            var reset = ex.RateLimits.SpentUntil ?? now.AddMinutes(15);
            return RateLimited(http, reset, now, ChannelGuidance.RateLimited(reset, now));
        }
        catch (XRefusedException ex)
        {
            return XProblem(ex.Refusal, ex.Message);
        }
        catch (XApiException ex)
        {
            return XProblem(ex, $"X refused the request{ChannelGuidance.Detail(ex)}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or Polly.Timeout.TimeoutRejectedException
                                       or Polly.CircuitBreaker.BrokenCircuitException && !http.RequestAborted.IsCancellationRequested)
        {
            return TypedResults.Problem($"X did not answer ({ex.GetType().Name}). Nothing is known to have changed on X; try again in a moment.",
                statusCode: StatusCodes.Status504GatewayTimeout, title: "X did not answer");
        }
    }

    private static ProblemHttpResult RateLimited(HttpContext http, DateTimeOffset resetAt, DateTimeOffset now, string detail)
    {
        http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling((resetAt - now).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status429TooManyRequests, title: "Rate limit reached",
            extensions: new Dictionary<string, object?> { ["reset_at"] = resetAt.UtcDateTime });
    }

    // 502, not X's own status: a 401 or 403 here would read as a problem with the Sosyabot token.
    private static ProblemHttpResult XProblem(XApiException ex, string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status502BadGateway, title: $"X answered {(int)ex.Status}",
            extensions: new Dictionary<string, object?> { ["x_status"] = (int)ex.Status, ["x_error"] = ex.Error, ["x_detail"] = ex.Description });
}

public sealed record TweetReference([property: JsonPropertyName("tweet_id"), Description("The X id of the post.")] string? TweetId);

public sealed record DirectMessageRequest(
    [property: JsonPropertyName("participant_id"), Description("The X user id of the person to write to.")] string? ParticipantId,
    [property: JsonPropertyName("text")] string? Text);

public sealed record MediaUpload(
    [property: JsonPropertyName("content_type"),
     Description("Optional and not trusted: the type is read from the file's first bytes (JPEG, PNG, GIF, WEBP or MP4).")] string? ContentType,
    [property: JsonPropertyName("data"), Description("The file, base64-encoded."), JsonConverter(typeof(Base64FileConverter))] byte[]? Data,
    [property: JsonPropertyName("alt_text")] string? AltText,
    [property: JsonPropertyName("file_name")] string? FileName);

public sealed record CreatePostRequest(
    [property: JsonPropertyName("text"), Description("The post's text; or use thread.")] string? Text,
    [property: JsonPropertyName("thread"), Description("The parts of a thread, in order; each answers the one before.")] IReadOnlyList<string>? Thread,
    [property: JsonPropertyName("reply_to_tweet_id"), Description("Answer this X post.")] string? ReplyToTweetId,
    [property: JsonPropertyName("quote_tweet_id"), Description("Quote this X post.")] string? QuoteTweetId,
    [property: JsonPropertyName("media"), Description("Up to 4 images, or one GIF or MP4 video, for the first part.")] IReadOnlyList<MediaUpload>? Media,
    [property: JsonPropertyName("scheduled_at"), Description("When to publish (ISO 8601 with offset); now when absent.")] DateTimeOffset? ScheduledAt,
    [property: JsonPropertyName("draft"), Description("Keep it as a draft: nothing is sent until POST /api/v1/posts/{id}/publish.")] bool? Draft = null,
    [property: JsonPropertyName("queue"),
     Description("Publish at the channel's next free time of the workspace's posting schedule (instead of scheduled_at); " +
                 "the answer's due_at is the time chosen.")] bool? Queue = null)
{
    // Read by hand rather than by the framework's JSON binding, which reads a long base64 string through a pipe of
    // small segments and copies it whole before decoding: here the body is one array of its declared length
    // (refused first when over the endpoint's limit), and each image is decoded straight from it.
    public static async ValueTask<CreatePostRequest?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasJsonContentType())
        {
            throw new BadHttpRequestException("Send the post as JSON (Content-Type: application/json).", StatusCodes.Status415UnsupportedMediaType);
        }
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? AgentApi.MaxCreatePostBodyBytes;
        if (request.ContentLength > limit)
        {
            throw new BadHttpRequestException(
                $"The body is {ImageContent.Megabytes(request.ContentLength.Value)}; this call takes up to {ImageContent.Megabytes(limit)}. " +
                AgentApi.WhatFits, StatusCodes.Status413PayloadTooLarge);
        }
        if (request.ContentLength is not <= LargeBody)
        {
            // Bodies carrying images are read a few at a time, each held until its request ends: however many
            // arrive at once, memory holds at most LargeBodiesAtOnce of them (the body and its decoded images).
            await LargeBodies.WaitAsync(context.RequestAborted);
            context.Response.RegisterForDispose(new Release(LargeBodies));
        }
        byte[] body;
        int read;
        if (request.ContentLength is { } length)
        {
            // Pooled: the body is garbage once parsed, and a fresh large array per request grows the heap faster
            // than the collector gives memory back.
            body = ArrayPool<byte>.Shared.Rent((int)length);
            read = (int)length;
            await request.Body.ReadExactlyAsync(body.AsMemory(0, read), context.RequestAborted);
        }
        else
        {
            // Chunked: the server stops the read at the endpoint's limit.
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
            read = body.Length;
        }
        var options = context.RequestServices.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<CreatePostRequest>(body.AsSpan(0, read), options)
                   ?? throw new BadHttpRequestException("The body is JSON null; send the post as a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new BadHttpRequestException($"Failed to read parameter \"{nameof(CreatePostRequest)} request\" from the request body as JSON.", ex);
        }
        finally
        {
            if (request.ContentLength is not null)
            {
                ArrayPool<byte>.Shared.Return(body);
            }
        }
    }

    public Dictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        if ((Text is null) == (Thread is null))
        {
            problems["text"] = ["Give either text (one post) or thread (its parts), not both."];
        }
        if (Queue == true && (ScheduledAt is not null || Draft == true))
        {
            problems["queue"] = ["queue chooses the time itself: leave out scheduled_at and draft."];
        }
        foreach (var (name, id) in new[] { ("reply_to_tweet_id", ReplyToTweetId), ("quote_tweet_id", QuoteTweetId) })
        {
            if (id is not null && !AgentApi.IsXId(id))
            {
                problems[name] = [$"{name} must be the numeric id of an X post."];
            }
        }
        for (var i = 0; i < (Media?.Count ?? 0); i++)
        {
            var name = Media![i].FileName ?? ImageName(i);
            if (Media[i].Data is not { Length: > 0 } data)
            {
                problems[$"media[{i}].data"] = ["data must be the file's bytes in base64."];
            }
            else if (ImageContent.Problem(name, data, data.Length) is { } imageProblem)
            {
                problems[$"media[{i}].data"] = [imageProblem];
            }
        }
        return problems;
    }

    private const long LargeBody = 1024 * 1024;
    private const int LargeBodiesAtOnce = 1;
    private static readonly SemaphoreSlim LargeBodies = new(LargeBodiesAtOnce);

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        public void Dispose() => semaphore.Release();
    }

    public PostDraft ToDraft() => new(
        Thread?.Cast<string?>().ToList() ?? [Text],
        ChannelIds: [],
        ScheduledAt,
        TimeZone: null,
        Media?.Select((m, i) => new MediaDraft(m.FileName ?? ImageName(i), m.Data!, m.AltText)).ToList(),
        ReplyToTweetId,
        QuoteTweetId,
        InQueue: Queue == true);

    private static string ImageName(int index) => $"image-{index + 1}";
}

// Decodes the base64 straight from the request's UTF-8 bytes into the file's bytes: no text copy of the file is made.
public sealed class Base64FileConverter : JsonConverter<byte[]>
{
    public override byte[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && reader.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw new JsonException("media data must be the file's bytes in base64.");

    public override void Write(Utf8JsonWriter writer, byte[] value, JsonSerializerOptions options) =>
        writer.WriteBase64StringValue(value);
}
