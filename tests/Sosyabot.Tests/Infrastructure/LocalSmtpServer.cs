using System.Buffers;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sosyabot.Tests.Infrastructure;

// A real SMTP server (the SmtpServer package) on a free loopback port, in this process: the app's MailKit client
// connects to it over TCP as it would to a self-hoster's mail server, and tests read what arrived.
public sealed class LocalSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Store _store = new();
    private Task _running = Task.CompletedTask;

    public int Port { get; private set; }

    public static LocalSmtpServer Start()
    {
        var server = new LocalSmtpServer();
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        server.Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, server.Port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(server._store);
        server._running = new SmtpServer.SmtpServer(options, services).StartAsync(server._stop.Token);
        return server;
    }

    // The first message that arrived for this address; waits for it (no polling) up to a timeout.
    public async Task<MimeMessage> WaitForMessageToAsync(string address, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (ReceivedFor(address) is [var message, ..])
            {
                return message;
            }
            try
            {
                await _store.Arrived.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No mail for {address} reached the local SMTP server.");
            }
        }
    }

    public IReadOnlyList<MimeMessage> ReceivedFor(string address)
    {
        lock (_store.Messages)
        {
            return [.. _store.Messages.Where(m => m.To.Mailboxes.Any(to => string.Equals(to.Address, address, StringComparison.OrdinalIgnoreCase)))];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store : MessageStore
    {
        public List<MimeMessage> Messages { get; } = [];

        public SemaphoreSlim Arrived { get; } = new(0);

        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray());
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            lock (Messages)
            {
                Messages.Add(message);
            }
            // Wake every waiter: each one looks for its own address.
            Arrived.Release(64);
            return SmtpResponse.Ok;
        }
    }
}
