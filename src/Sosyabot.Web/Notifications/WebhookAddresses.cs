using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Notifications;

// Where a webhook may send. Checked when a URL is saved (to tell the admin at once) and again on every connection,
// against the address actually connected to, so that a name re-pointed at 127.0.0.1 after saving is refused too.
public sealed class WebhookAddresses(IOptions<NotificationOptions> options)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    // Why the URL cannot be a webhook's, or null when it can.
    public async Task<string?> ProblemAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return "Enter an absolute http:// or https:// URL.";
        }
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Leave user name and password out of the URL: the signature authenticates Sosyabot's requests.";
        }
        if (!string.IsNullOrEmpty(uri.Fragment))
        {
            return "Leave the #fragment out of the URL: it is never sent.";
        }
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.IdnHost, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.IdnHost, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host {uri.Host} could not be found.";
        }
        if (addresses.Length == 0)
        {
            return $"The host {uri.Host} could not be found.";
        }
        return addresses.Any(a => !IsAllowed(a))
            ? $"{uri.Host} is a loopback, private or link-local address, which webhooks may not call on this instance " +
              "(an instance admin can allow it with WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=true)."
            : null;
    }

    public bool IsAllowed(IPAddress address) => options.Value.AllowPrivateAddresses || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast))
        {
            return false;
        }
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] == 0 || b[0] == 10 || b[0] == 127
                     || (b[0] == 100 && b[1] is >= 64 and <= 127)
                     || (b[0] == 169 && b[1] == 254)
                     || (b[0] == 172 && b[1] is >= 16 and <= 31)
                     || (b[0] == 192 && b[1] == 168)
                     || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                     || (b[0] == 198 && b[1] is 18 or 19)
                     || b[0] >= 224);
        }
        var bytes = address.GetAddressBytes();
        // NAT64 (64:ff9b::/96, and the local-use 64:ff9b:1::/48) and 6to4 (2002::/16) carry an IPv4 address that a gateway on the way may reach.
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b)
        {
            return IsPublic(new IPAddress(bytes.AsSpan(12, 4)));
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return IsPublic(new IPAddress(bytes.AsSpan(2, 4)));
        }
        return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                 || (bytes[0] & 0xfe) == 0xfc
                 || address.IsIPv6Teredo);
    }

    // The connection of the webhook HttpClient: resolves the host, refuses a disallowed address, connects to an allowed one.
    internal async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0 || allowed.Length != addresses.Length)
        {
            throw new WebhookAddressRefusedException(
                $"{host} resolves to a loopback, private or link-local address; refused (WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is off).");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

public sealed class WebhookAddressRefusedException(string message) : Exception(message);
