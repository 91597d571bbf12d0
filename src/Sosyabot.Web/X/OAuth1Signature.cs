using System.Security.Cryptography;
using System.Text;

namespace Sosyabot.Web.X;

// OAuth 1.0a HMAC-SHA1 signatures as RFC 5849 section 3.4 defines them and X documents them
// ("Creating a signature"). Pure functions, so that the XSandbox can verify with the same rules it is
// written against and tests can check them against the published examples.
internal static class OAuth1Signature
{
    public const string Method = "HMAC-SHA1";

    // RFC 5849 section 3.6: UTF-8, then every byte outside ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX.
    public static string PercentEncode(string value)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9'
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                encoded.Append((char)b);
            }
            else
            {
                encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return encoded.ToString();
    }

    // The signature base string (section 3.4.1): method, base string URI, and the normalized parameters:
    // the query's, a form body's and the oauth_* ones (never oauth_signature), each encoded,
    // sorted by name and then value.
    public static string BaseString(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var normalized = parameters
            .Where(p => p.Key != "oauth_signature")
            .Select(p => (Name: PercentEncode(p.Key), Value: PercentEncode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}");
        return $"{method.ToUpperInvariant()}&{PercentEncode(BaseStringUri(url))}&{PercentEncode(string.Join('&', normalized))}";
    }

    public static string Sign(string baseString, string consumerSecret, string? tokenSecret)
    {
        var key = Encoding.ASCII.GetBytes($"{PercentEncode(consumerSecret)}&{PercentEncode(tokenSecret ?? "")}");
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.ASCII.GetBytes(baseString)));
    }

    // The oauth_* protocol parameters of one request, before signing.
    public static Dictionary<string, string> ProtocolParameters(string consumerKey, string token, DateTimeOffset now, string nonce) => new()
    {
        ["oauth_consumer_key"] = consumerKey,
        ["oauth_nonce"] = nonce,
        ["oauth_signature_method"] = Method,
        ["oauth_timestamp"] = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["oauth_token"] = token,
        ["oauth_version"] = "1.0",
    };

    // The value of the Authorization header (section 3.5.1) for already-signed protocol parameters.
    public static string AuthorizationHeaderValue(IEnumerable<KeyValuePair<string, string>> protocolParameters) =>
        "OAuth " + string.Join(", ", protocolParameters.Select(p => $"{PercentEncode(p.Key)}=\"{PercentEncode(p.Value)}\""));

    // The parameters of an OAuth ... Authorization header, decoded; null when it is not one.
    public static Dictionary<string, string>? ParseAuthorizationHeader(string? header)
    {
        if (header is null || !header.StartsWith("OAuth ", StringComparison.Ordinal))
        {
            return null;
        }
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0 || part.Length < equals + 3 || part[equals + 1] != '"' || part[^1] != '"')
            {
                return null;
            }
            parameters[Uri.UnescapeDataString(part[..equals])] = Uri.UnescapeDataString(part[(equals + 2)..^1]);
        }
        return parameters;
    }

    // A query string or form body as name/value pairs, decoded the application/x-www-form-urlencoded way.
    public static IEnumerable<KeyValuePair<string, string>> FormParameters(string? encoded)
    {
        foreach (var pair in (encoded ?? "").TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? "" : pair[(equals + 1)..];
            yield return new(Decode(name), Decode(value));
        }

        static string Decode(string component) => Uri.UnescapeDataString(component.Replace('+', ' '));
    }

    // Section 3.4.1.2: scheme and host in lower case, the port only when it is not the scheme's default, no query.
    private static string BaseStringUri(Uri url)
    {
        var port = url.IsDefaultPort ? "" : $":{url.Port}";
        return $"{url.Scheme.ToLowerInvariant()}://{url.Host.ToLowerInvariant()}{port}{url.AbsolutePath}";
    }
}
