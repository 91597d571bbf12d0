using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sosyabot.Tests.Infrastructure;

// A webhook receiver as a self-hoster would write one, on a real loopback port: it records every request, checks its
// signature the way the README tells receivers to, and answers with the next status queued (200 once the queue is empty).
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly List<Received> _received = [];
    private readonly SemaphoreSlim _arrived = new(0);

    public sealed record Received(string Event, string Delivery, string Timestamp, string Signature, string Body, int AnsweredWith)
    {
        // The receiver's check: HMAC-SHA256 with the secret over "{X-Sosyabot-Timestamp}.{raw body}", hex, after "sha256=".
        public bool IsSignedWith(string secret)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(
                HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(Timestamp + "." + Body)));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(Signature));
        }

        public DateTimeOffset SignedAt => DateTimeOffset.FromUnixTimeSeconds(long.Parse(Timestamp, CultureInfo.InvariantCulture));
    }

    private WebhookReceiver()
    {
        var builder = WebApplication.CreateSlimBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks/{**rest}", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var status = _answers.TryDequeue(out var queued) ? queued : 200;
            lock (_received)
            {
                _received.Add(new Received(context.Request.Headers["X-Sosyabot-Event"].ToString(), context.Request.Headers["X-Sosyabot-Delivery"].ToString(),
                    context.Request.Headers["X-Sosyabot-Timestamp"].ToString(), context.Request.Headers["X-Sosyabot-Signature"].ToString(), body, status));
            }
            _arrived.Release();
            return Results.Text(status >= 300 ? "receiver is having a bad day" : "ok", statusCode: status);
        });
    }

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver();
        await receiver._app.StartAsync();
        receiver.Url = receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/hooks/"
                       + Guid.NewGuid().ToString("N");
        return receiver;
    }

    public void AnswerNext(params int[] statuses)
    {
        foreach (var status in statuses)
        {
            _answers.Enqueue(status);
        }
    }

    public IReadOnlyList<Received> Requests
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    // Waits (no polling) until at least count requests arrived.
    public async Task<IReadOnlyList<Received>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        while (Requests.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The webhook receiver got {Requests.Count} requests, not {count}.");
            }
        }
        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _arrived.Dispose();
    }
}
