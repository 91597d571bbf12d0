using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Sosyabot.Web.Hosting;

// Where the instance is reachable from the outside (BASE_URL), which other host names it answers to, which
// reverse proxies may tell it who the client is, and how long browsers keep to https.
public sealed class SiteOptions
{
    public const string CallbackPath = "/api/v1/auth/twitter/callback";

    private static readonly string[] LoopbackNames = ["localhost", "127.0.0.1", "[::1]"];

    [ConfigurationKeyName("BASE_URL"), Required, AbsoluteHttpUrl]
    public string BaseUrl { get; set; } = "http://localhost:8080";

    // Further names (or *.example.com) besides BASE_URL's host, separated by commas or spaces; no scheme, no port.
    [ConfigurationKeyName("ALLOWED_HOSTS"), HostNameList]
    public string? AllowedHosts { get; set; }

    // Reverse proxies whose X-Forwarded-For/-Proto/-Host are believed: IPs and CIDR networks, separated by commas or spaces.
    [ConfigurationKeyName("FORWARDED_PROXIES"), NetworkList]
    public string? ForwardedProxies { get; set; }

    [ConfigurationKeyName("HSTS_MAX_AGE_DAYS"), Range(0, 730)]
    public int HstsMaxAgeDays { get; set; } = 365;

    [ConfigurationKeyName("HSTS_INCLUDE_SUBDOMAINS")]
    public bool HstsIncludeSubdomains { get; set; }

    public string TwitterCallbackUrl => BaseUrl.TrimEnd('/') + CallbackPath;

    public bool IsHttps => BaseUrl.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    // BASE_URL's host, ALLOWED_HOSTS, and all loopback names when BASE_URL itself is one of them (a local
    // install is opened as localhost and 127.0.0.1 alike).
    public IReadOnlyList<string> HostNames()
    {
        var baseHost = new Uri(BaseUrl).Host;
        var baseIsLoopback = LoopbackNames.Contains(baseHost, StringComparer.OrdinalIgnoreCase);
        return [.. new[] { baseHost }.Concat(baseIsLoopback ? LoopbackNames : []).Concat(Split(AllowedHosts))
            .Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyList<IPNetwork> ProxyNetworks() => [.. Split(ForwardedProxies).Select(entry => ParseNetwork(entry)!.Value)];

    internal static string[] Split(string? list) =>
        (list ?? "").Split([',', ';', ' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    // One address is a network of one; 10.0.0.0/8 and fd00::/8 are networks.
    internal static IPNetwork? ParseNetwork(string entry) =>
        IPNetwork.TryParse(entry, out var network) ? network
        : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
        : null;
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class AbsoluteHttpUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text
        && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} must be an absolute http(s) URL, got '{value}'.");
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class HostNameListAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var wrong = SiteOptions.Split(value as string).FirstOrDefault(entry => !IsHostName(entry));
        return wrong is null
            ? ValidationResult.Success
            : new ValidationResult($"ALLOWED_HOSTS takes host names without scheme or port (sosyabot.example.com, *.example.com), got '{wrong}'.");
    }

    private static bool IsHostName(string entry)
    {
        var name = entry.StartsWith("*.", StringComparison.Ordinal) ? entry[2..] : entry;
        // A request's Host carries an IPv6 address in brackets, so the list must too.
        return name.StartsWith('[') && name.EndsWith(']')
            ? Uri.CheckHostName(name[1..^1]) == UriHostNameType.IPv6
            : Uri.CheckHostName(name) is UriHostNameType.Dns or UriHostNameType.IPv4;
    }
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class NetworkListAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var wrong = SiteOptions.Split(value as string).FirstOrDefault(entry => SiteOptions.ParseNetwork(entry) is null);
        return wrong is null
            ? ValidationResult.Success
            : new ValidationResult($"FORWARDED_PROXIES takes IP addresses and CIDR networks (10.0.0.2, 172.16.0.0/12), got '{wrong}'.");
    }
}
