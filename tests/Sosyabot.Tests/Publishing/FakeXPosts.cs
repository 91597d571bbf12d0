using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Sosyabot.XSandbox;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Sosyabot.Tests.Publishing;

// POST /2/tweets and GET /2/users/{id}/tweets on WireMock, behaving as X documents: a 15-minute window
// of Limit posts per user with x-rate-limit-* headers, 429 past it, 403 for duplicate text,
// and the text given back as X rewrites it (t.co links with their entities, & < > escaped).
public sealed class FakeXPosts(FakeTimeProvider clock)
{
    private readonly Lock _gate = new();
    private int _used;
    private DateTimeOffset _windowReset;
    private long _nextId = 1_900_000_000_000_000_000;

    public int Limit { get; init; } = 100;

    public ConcurrentQueue<CreatedTweet> Created { get; } = new();

    public int Rejected429 { get; private set; }

    // A post X took: Text as sent, Rendered as X gives it back.
    public sealed record CreatedTweet(string Id, string Text, RenderedText Rendered, string? InReplyTo, DateTimeOffset At);

    public void Install(WireMockServer x, int priority = 10)
    {
        x.Given(Request.Create().WithPath("/2/tweets").UsingPost()).AtPriority(priority).RespondWith(Response.Create().WithCallback(Respond));
        x.Given(Request.Create().WithPath(new WireMock.Matchers.RegexMatcher("^/2/users/[^/]+/tweets$")).UsingGet()).AtPriority(priority)
            .RespondWith(Response.Create().WithCallback(_ => Json(200, new
            {
                data = Created.Reverse().Select(t => new
                {
                    id = t.Id, text = t.Rendered.Text, created_at = t.At.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    entities = t.Rendered.Entities,
                }),
            })));
    }

    // X took this post although its answer never reached Sosyabot.
    public string AcceptOutOfBand(string text)
    {
        var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        Created.Enqueue(new CreatedTweet(id, text, RenderedText.Of(text), null, clock.GetUtcNow()));
        return id;
    }

    public ResponseMessage Respond(IRequestMessage request)
    {
        using var body = JsonDocument.Parse(request.Body!);
        var text = body.RootElement.GetProperty("text").GetString()!;
        var replyTo = body.RootElement.TryGetProperty("reply", out var reply) ? reply.GetProperty("in_reply_to_tweet_id").GetString() : null;
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (now >= _windowReset)
            {
                _used = 0;
                _windowReset = now.AddMinutes(15);
            }
            var headers = new Dictionary<string, string>
            {
                ["x-rate-limit-limit"] = Limit.ToString(CultureInfo.InvariantCulture),
                ["x-rate-limit-reset"] = _windowReset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            };
            if (_used >= Limit)
            {
                Rejected429++;
                headers["x-rate-limit-remaining"] = "0";
                return Json(429, new { title = "Too Many Requests", status = 429, detail = "Too Many Requests" }, headers);
            }
            _used++;
            headers["x-rate-limit-remaining"] = (Limit - _used).ToString(CultureInfo.InvariantCulture);
            if (Created.Any(t => t.Text == text && t.InReplyTo == replyTo))
            {
                return Json(403, new { title = "Forbidden", status = 403, detail = "You are not allowed to create a Tweet with duplicate content." }, headers);
            }
            var id = Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
            var created = new CreatedTweet(id, text, RenderedText.Of(text), replyTo, now);
            Created.Enqueue(created);
            return Json(201, new { data = new { id, text = created.Rendered.Text } }, headers);
        }
    }

    // X leaves out what a post does not have (entities of a post without links).
    private static readonly JsonSerializerOptions OmitNulls =
        new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private static ResponseMessage Json(int status, object body, Dictionary<string, string>? headers = null)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = JsonSerializer.Serialize(body, OmitNulls), DetectedBodyType = BodyType.String },
        };
        message.AddHeader("Content-Type", "application/json");
        foreach (var (name, value) in headers ?? [])
        {
            message.AddHeader(name, value);
        }
        return message;
    }
}
