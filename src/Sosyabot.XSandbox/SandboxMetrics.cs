using System.Collections.Concurrent;
using System.Text.Json.Serialization;

namespace Sosyabot.XSandbox;

// The six public metrics X counts for a post.
public sealed record PublicMetrics(
    [property: JsonPropertyName("retweet_count")] long RetweetCount,
    [property: JsonPropertyName("reply_count")] long ReplyCount,
    [property: JsonPropertyName("like_count")] long LikeCount,
    [property: JsonPropertyName("quote_count")] long QuoteCount,
    [property: JsonPropertyName("bookmark_count")] long BookmarkCount,
    [property: JsonPropertyName("impression_count")] long ImpressionCount);

// What the stand-in says about a post's reach: numbers that grow with the sandbox clock (a post is seen and
// liked as it ages), unless a test or a demo has set them through POST /sandbox/metrics/{id}.
public sealed class SandboxMetricsState
{
    private readonly ConcurrentDictionary<string, PublicMetrics> _set = new();

    public void Set(string postId, PublicMetrics metrics) => _set[postId] = metrics;

    public PublicMetrics For(SandboxPost post, DateTimeOffset now)
    {
        if (_set.TryGetValue(post.Id, out var set))
        {
            return set;
        }
        var minutes = (long)Math.Max(0, (now - post.CreatedAt).TotalMinutes);
        return new PublicMetrics(minutes / 10, minutes / 15, minutes / 3, minutes / 30, minutes / 20, 10 * minutes + 1);
    }
}

public static class SandboxMetricsEndpoints
{
    // X's documented limits for GET /2/tweets: 5,000 per 15 minutes per user, 3,500 per 15 minutes per app.
    public const int LookupsPerUserPer15Minutes = 5_000;
    public const int LookupsPerAppPer15Minutes = 3_500;
    public const int MaxIdsPerLookup = 100;

    public static WebApplication MapMetricsEndpoints(this WebApplication app)
    {
        // Post lookup by ids, as X answers it: the posts found in data, each id it does not have in errors
        // (X's partial errors: still a 200), a 200 with only errors when none is found.
        app.MapGet("/2/tweets", async (HttpRequest request, HttpResponse response, SandboxState state, SandboxMetricsState metrics, TimeProvider time) =>
        {
            var caller = await SandboxAuth.CallerAsync(request, state, time);
            if (caller is null)
            {
                return SandboxAuth.Unauthorized();
            }
            var now = time.GetUtcNow();
            var (key, limit) = caller.Account is { } account
                ? ($"lookup:user:{account.Id}", LookupsPerUserPer15Minutes)
                : ("lookup:app", LookupsPerAppPer15Minutes);
            if (!SandboxAgentEndpoints.Spend(response, state, key, limit, now))
            {
                state.CountRateLimitRefusal();
                return SandboxAgentEndpoints.TooManyRequests();
            }
            var ids = request.Query["ids"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (ids.Length is 0 or > MaxIdsPerLookup || ids.Any(id => !id.All(char.IsAsciiDigit) || id.Length > 19))
            {
                return Results.Json(new
                {
                    errors = new[]
                    {
                        new
                        {
                            parameters = new { ids = new[] { request.Query["ids"].ToString() } },
                            message = ids.Length == 0
                                ? "The `ids` query parameter can not be empty"
                                : $"The `ids` query parameter value [{request.Query["ids"]}] is not valid",
                        },
                    },
                    title = "Invalid Request",
                    detail = "One or more parameters to your request was invalid.",
                    type = "https://api.twitter.com/2/problems/invalid-request",
                }, statusCode: 400);
            }
            var fields = request.Query["tweet.fields"].ToString().Split(',');
            var withMetrics = fields.Contains("public_metrics");
            var posts = state.Posts.ToDictionary(p => p.Id);
            var found = new List<object>();
            var missing = new List<object>();
            foreach (var id in ids.Distinct())
            {
                if (posts.TryGetValue(id, out var post))
                {
                    // As X does, public_metrics only when tweet.fields asks for it.
                    found.Add(withMetrics
                        ? (object)new
                        {
                            id = post.Id, text = post.Rendered.Text, edit_history_tweet_ids = new[] { post.Id }, public_metrics = metrics.For(post, now),
                        }
                        : new { id = post.Id, text = post.Rendered.Text, edit_history_tweet_ids = new[] { post.Id } });
                }
                else
                {
                    missing.Add(new
                    {
                        value = id,
                        detail = $"Could not find tweet with ids: [{id}].",
                        title = "Not Found Error",
                        resource_type = "tweet",
                        parameter = "ids",
                        resource_id = id,
                        type = "https://api.twitter.com/2/problems/resource-not-found",
                    });
                }
            }
            return Results.Json(new LookupAnswer(found.Count == 0 ? null : found, missing.Count == 0 ? null : missing));
        });

        // The test and demo hook: fixes a post's numbers from now on (they no longer grow with the clock).
        app.MapPost("/sandbox/metrics/{id}", async (string id, HttpRequest request, SandboxState state, SandboxMetricsState metrics) =>
        {
            if (!state.Posts.Any(p => p.Id == id))
            {
                return Results.NotFound();
            }
            var body = await request.ReadFromJsonAsync<PublicMetrics>();
            if (body is null)
            {
                return Results.BadRequest();
            }
            metrics.Set(id, body);
            return Results.Json(body);
        });

        app.MapGet("/sandbox/metrics/{id}", (string id, SandboxState state, SandboxMetricsState metrics, TimeProvider time) =>
            state.Posts.FirstOrDefault(p => p.Id == id) is { } post
                ? Results.Json(metrics.For(post, time.GetUtcNow()))
                : Results.NotFound());
        return app;
    }

    private sealed record LookupAnswer(
        [property: JsonPropertyName("data"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<object>? Data,
        [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<object>? Errors);
}
