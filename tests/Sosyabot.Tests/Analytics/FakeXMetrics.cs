using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Analytics;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace Sosyabot.Tests.Analytics;

// The app with WireMock as X, without the metrics loop: the tests run MetricsFetcher themselves as they move the clock.
public sealed class AppWithFakeXMetrics : AppWithFakeX
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            foreach (var loop in services.Where(s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(MetricsService)).ToList())
            {
                services.Remove(loop);
            }
        });
    }
}

// GET /2/tweets on WireMock as X documents it: the posts it knows in data with public_metrics, each id it does not
// know in errors (still a 200), the 15-minute window in x-rate-limit-* headers, or a 429 when told to refuse.
public sealed class FakeXMetrics(Microsoft.Extensions.Time.Testing.FakeTimeProvider clock)
{
    public ConcurrentDictionary<string, long> Likes { get; } = new();

    public DateTimeOffset? RefuseUntil { get; set; }

    public void Install(WireMockServer x) =>
        x.Given(Request.Create().WithPath("/2/tweets").UsingGet()).AtPriority(5).RespondWith(Response.Create().WithCallback(Respond));

    private ResponseMessage Respond(IRequestMessage request)
    {
        var now = clock.GetUtcNow();
        var reset = RefuseUntil is { } until && until > now ? until : now.AddMinutes(15);
        var headers = new Dictionary<string, string>
        {
            ["x-rate-limit-limit"] = "5000",
            ["x-rate-limit-remaining"] = RefuseUntil > now ? "0" : "4999",
            ["x-rate-limit-reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (RefuseUntil > now)
        {
            return Json(429, """{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}""", headers);
        }
        // WireMock splits a query value at its commas, as some servers do: joined again here.
        var ids = request.Query!["ids"].SelectMany(v => v.Split(',')).ToList();
        var data = ids.Where(Likes.ContainsKey).Select(id => new
        {
            id, text = $"post {id}", edit_history_tweet_ids = new[] { id },
            public_metrics = new
            {
                retweet_count = 2, reply_count = 3, like_count = Likes[id], quote_count = 4, bookmark_count = 5, impression_count = Likes[id] * 10,
            },
        }).ToList();
        var errors = ids.Where(id => !Likes.ContainsKey(id)).Select(id => new
        {
            value = id, detail = $"Could not find tweet with ids: [{id}].", title = "Not Found Error", resource_type = "tweet", parameter = "ids",
            resource_id = id, type = "https://api.twitter.com/2/problems/resource-not-found",
        }).ToList();
        var body = new Dictionary<string, object>();
        if (data.Count > 0)
        {
            body["data"] = data;
        }
        if (errors.Count > 0)
        {
            body["errors"] = errors;
        }
        return Json(200, System.Text.Json.JsonSerializer.Serialize(body), headers);
    }

    private static ResponseMessage Json(int status, string body, Dictionary<string, string> headers)
    {
        var message = new ResponseMessage
        {
            StatusCode = status,
            BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
        };
        message.AddHeader("Content-Type", "application/json");
        foreach (var (name, value) in headers)
        {
            message.AddHeader(name, value);
        }
        return message;
    }
}
