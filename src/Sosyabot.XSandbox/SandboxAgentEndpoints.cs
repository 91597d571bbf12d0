using System.Globalization;
using System.Text.Json.Serialization;

namespace Sosyabot.XSandbox;

// The X v2 endpoints an agent uses, as X documents them: user lookup, mentions, recent search, likes,
// retweets, bookmarks (OAuth 2.0 user context only) and direct messages, with per-user rate windows and
// X's pagination tokens.
public static class SandboxAgentEndpoints
{
    private const int RelationsPer15Minutes = 50;
    private const int MessagesPer15Minutes = 15;
    private const int HomeTimelinePer15Minutes = 180;

    public static WebApplication MapAgentEndpoints(this WebApplication app)
    {
        app.MapGet("/2/users/by/username/{username}", async (string username, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.CallerAsync(request, state, time) is null)
            {
                return SandboxAuth.Unauthorized();
            }
            return state.Everyone.FirstOrDefault(a => string.Equals(a.Username, username, StringComparison.OrdinalIgnoreCase)) is { } account
                ? Results.Json(new { data = SandboxApp.Profile(request, account) })
                : Results.Json(new
                {
                    errors = new[]
                    {
                        new
                        {
                            value = username,
                            detail = $"Could not find user with username: [{username}].",
                            title = "Not Found Error",
                            type = "https://api.twitter.com/2/problems/resource-not-found",
                        },
                    },
                });
        });

        app.MapGet("/2/users/{id}/mentions", async (string id, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.CallerAsync(request, state, time) is null)
            {
                return SandboxAuth.Unauthorized();
            }
            var username = state.Everyone.FirstOrDefault(a => a.Id == id)?.Username ?? "";
            return PostPage(state.Posts.Where(p => username.Length > 0 && p.Text.Contains("@" + username, StringComparison.OrdinalIgnoreCase)),
                request.Query, "pagination_token");
        });

        // The home timeline, as X documents it: user context only (OAuth 2.0 user token or OAuth 1.0a), for the
        // authenticated user alone, newest first, 180 requests per 15 minutes per user. The stand-in follows
        // everyone, so every post is on every home timeline.
        app.MapGet("/2/users/{id}/timelines/reverse_chronological", async (
            string id, HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
        {
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            if (account is null)
            {
                return refusal!;
            }
            if (account.Id != id)
            {
                return Results.Json(new { title = "Forbidden", status = 403, detail = "You can only read the home timeline of the authenticated user." },
                    statusCode: 403);
            }
            if (!Spend(response, state, $"home:{account.Id}", HomeTimelinePer15Minutes, time.GetUtcNow()))
            {
                return TooManyRequests();
            }
            return PostPage(state.Posts, request.Query, "pagination_token");
        });

        app.MapGet("/2/tweets/search/recent", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await SandboxAuth.CallerAsync(request, state, time) is null)
            {
                return SandboxAuth.Unauthorized();
            }
            var query = request.Query["query"].ToString();
            if (query.Length is 0 or > 512)
            {
                return Results.Json(new { title = "Invalid Request", status = 400, detail = "The `query` query parameter can not be empty" }, statusCode: 400);
            }
            // Plain words must all appear; X's operators (from:, -is:retweet, ...) are accepted and not applied.
            var words = query.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !w.Contains(':') && !w.StartsWith('-')).ToList();
            var since = time.GetUtcNow().AddDays(-7);
            return PostPage(state.Posts.Where(p => p.CreatedAt >= since && words.All(w => p.Text.Contains(w, StringComparison.OrdinalIgnoreCase))),
                request.Query, "next_token");
        });

        foreach (var (collection, field) in new[] { ("likes", "liked"), ("retweets", "retweeted"), ("bookmarks", "bookmarked") })
        {
            app.MapPost($"/2/users/{{id}}/{collection}", async (string id, HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
            {
                if (await RelationCallerAsync(id, collection, request, state, time) is { } refusal)
                {
                    return refusal;
                }
                if (!Spend(response, state, $"{collection}:{id}", RelationsPer15Minutes, time.GetUtcNow()))
                {
                    return TooManyRequests();
                }
                var body = await request.ReadFromJsonAsync<TweetIdBody>();
                if (body?.TweetId is not { Length: > 0 } tweetId)
                {
                    return Results.Json(new { title = "Invalid Request", status = 400, detail = "tweet_id is required." }, statusCode: 400);
                }
                state.Relations[$"{collection}:{id}:{tweetId}"] = time.GetUtcNow();
                return Results.Json(new { data = new Dictionary<string, bool> { [field] = true } });
            });
            app.MapDelete($"/2/users/{{id}}/{collection}/{{tweetId}}", async (
                string id, string tweetId, HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
            {
                if (await RelationCallerAsync(id, collection, request, state, time) is { } refusal)
                {
                    return refusal;
                }
                if (!Spend(response, state, $"un{collection}:{id}", RelationsPer15Minutes, time.GetUtcNow()))
                {
                    return TooManyRequests();
                }
                state.Relations.TryRemove($"{collection}:{id}:{tweetId}", out _);
                return Results.Json(new { data = new Dictionary<string, bool> { [field] = false } });
            });
        }

        app.MapGet("/2/users/{id}/bookmarks", async (string id, HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            if (await RelationCallerAsync(id, "bookmarks", request, state, time) is { } refusal)
            {
                return refusal;
            }
            var saved = state.Relations.Keys.Where(k => k.StartsWith($"bookmarks:{id}:", StringComparison.Ordinal)).Select(k => k.Split(':')[2]).ToHashSet();
            return PostPage(state.Posts.Where(p => saved.Contains(p.Id)), request.Query, "pagination_token");
        });

        app.MapPost("/2/dm_conversations/with/{participantId}/messages", async (
            string participantId, HttpRequest request, HttpResponse response, SandboxState state, TimeProvider time) =>
        {
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            if (account is null)
            {
                return refusal!;
            }
            if (!Spend(response, state, $"dm:{account.Id}", MessagesPer15Minutes, time.GetUtcNow()))
            {
                return TooManyRequests();
            }
            var body = await request.ReadFromJsonAsync<MessageBody>();
            if (string.IsNullOrEmpty(body?.Text))
            {
                return Results.Json(new { title = "Invalid Request", status = 400, detail = "text or attachments is required." }, statusCode: 400);
            }
            var conversation = string.Join('-', new[] { account.Id, participantId }.Order(StringComparer.Ordinal));
            var message = new SandboxMessage(state.NextPostId(), conversation, account, participantId, body.Text, time.GetUtcNow());
            state.Messages.Enqueue(message);
            return Results.Json(new { data = new { dm_conversation_id = conversation, dm_event_id = message.Id } }, statusCode: 201);
        });

        app.MapGet("/2/dm_events", async (HttpRequest request, SandboxState state, TimeProvider time) =>
        {
            var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
            if (account is null)
            {
                return refusal!;
            }
            var events = state.Messages.Where(m => m.Sender.Id == account.Id || m.RecipientId == account.Id).Reverse()
                .Select(m => (object)new
                {
                    id = m.Id, event_type = "MessageCreate", text = m.Text, sender_id = m.Sender.Id, dm_conversation_id = m.ConversationId,
                    created_at = Timestamp(m.CreatedAt),
                });
            return Page(events, request.Query, "pagination_token");
        });
        return app;
    }

    // Newest first, max_results at a time, with X's opaque next_token (here, the offset).
    public static IResult PostPage(IEnumerable<SandboxPost> posts, IQueryCollection query, string tokenParameter)
    {
        // As X does, entities only when tweet.fields asks for them.
        var withEntities = query["tweet.fields"].ToString().Split(',').Contains("entities");
        return Page(posts.Reverse().Select(p => (object)new
        {
            // A long post's text is cut short as X shows it in a timeline; the whole of it is in note_tweet.
            id = p.Id, text = p.IsLong ? string.Concat(p.Rendered.Text.AsSpan(0, 275), "…") : p.Rendered.Text, author_id = p.Account.Id,
            created_at = Timestamp(p.CreatedAt), conversation_id = p.InReplyToId ?? p.Id,
            entities = withEntities && !p.IsLong ? p.Rendered.Entities : null,
            note_tweet = p.IsLong ? new { text = p.Rendered.Text, entities = withEntities ? p.Rendered.Entities : null } : null,
        }), query, tokenParameter);
    }

    private static IResult Page(IEnumerable<object> items, IQueryCollection query, string tokenParameter)
    {
        var size = int.TryParse(query["max_results"], out var max) ? Math.Clamp(max, 1, 100) : 10;
        var offset = query[tokenParameter].ToString() is { Length: > 1 } token && token.StartsWith('p') && int.TryParse(token[1..], out var o) ? o : 0;
        var all = items.ToList();
        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + size < all.Count ? $"p{offset + size}" : null;
        return Results.Json(new { data = page, meta = new { result_count = page.Count, next_token = next } },
            new System.Text.Json.JsonSerializerOptions { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull });
    }

    // X serves bookmarks to OAuth 2.0 user tokens only, and a user acts on their own collections only.
    private static async Task<IResult?> RelationCallerAsync(string id, string collection, HttpRequest request, SandboxState state, TimeProvider time)
    {
        var (account, refusal) = await SandboxAuth.UserAsync(request, state, time);
        if (account is null)
        {
            return refusal;
        }
        if (collection == "bookmarks" && request.Headers.Authorization.ToString().StartsWith("OAuth ", StringComparison.Ordinal))
        {
            return Results.Json(new
            {
                title = "Unsupported Authentication", status = 403, type = "https://api.twitter.com/2/problems/unsupported-authentication",
                detail = "Authenticating with OAuth 1.0a User Context is forbidden for this endpoint.  " +
                         "Supported authentication types are [OAuth 2.0 User Context].",
            }, statusCode: 403);
        }
        return account.Id == id
            ? null
            : Results.Json(new { title = "Forbidden", status = 403, detail = "You are not allowed to act for another user." }, statusCode: 403);
    }

    internal static bool Spend(HttpResponse response, SandboxState state, string key, int limit, DateTimeOffset now)
    {
        var window = state.RateWindows.GetOrAdd(key, _ => new RateWindow(limit, TimeSpan.FromMinutes(15)));
        var allowed = window.TryTake(now);
        response.Headers["x-rate-limit-limit"] = window.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-rate-limit-remaining"] = window.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["x-rate-limit-reset"] = window.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return allowed;
    }

    internal static IResult TooManyRequests() =>
        Results.Json(new { title = "Too Many Requests", detail = "Too Many Requests", type = "about:blank", status = 429 }, statusCode: 429);

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record TweetIdBody([property: JsonPropertyName("tweet_id")] string? TweetId);

    private sealed record MessageBody([property: JsonPropertyName("text")] string? Text);
}
