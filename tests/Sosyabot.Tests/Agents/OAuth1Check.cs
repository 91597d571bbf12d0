using Sosyabot.Web.X;
using WireMock;

namespace Sosyabot.Tests.Agents;

/// <summary>Recomputes the OAuth 1.0a signature of a request X (WireMock) received, from what it received.</summary>
internal static class OAuth1Check
{
    public static void AssertSignedByUser(IRequestMessage request, ByokKeys keys)
    {
        var header = request.Headers!["Authorization"].Single();
        var parameters = OAuth1Signature.ParseAuthorizationHeader(header);
        Assert.True(parameters is not null, $"{request.Method} {request.Path} was not OAuth 1.0a signed: '{header.Split(' ')[0]} …'");
        Assert.Equal(keys.ApiKey, parameters["oauth_consumer_key"]);
        Assert.Equal(keys.AccessToken, parameters["oauth_token"]);
        Assert.Equal("HMAC-SHA1", parameters["oauth_signature_method"]);
        Assert.Equal("1.0", parameters["oauth_version"]);
        Assert.False(string.IsNullOrEmpty(parameters["oauth_nonce"]));

        var url = new Uri(request.Url);
        IEnumerable<KeyValuePair<string, string>> signed = [.. OAuth1Signature.FormParameters(url.Query), .. parameters];
        if (request.Headers.TryGetValue("Content-Type", out var type) && type.Any(t => t.StartsWith("application/x-www-form-urlencoded")))
        {
            signed = signed.Concat(OAuth1Signature.FormParameters(request.Body));
        }
        var expected = OAuth1Signature.Sign(OAuth1Signature.BaseString(request.Method, url, signed), keys.ApiSecret, keys.AccessTokenSecret);
        Assert.True(expected == parameters["oauth_signature"], $"{request.Method} {request.Url}: signature {parameters["oauth_signature"]} but the request received signs as {expected}");
    }

    public static void AssertAppBearer(IRequestMessage request, ByokKeys keys) =>
        Assert.Equal($"Bearer {keys.BearerToken}", request.Headers!["Authorization"].Single());
}

/// <summary>A workspace's own X app keys, as the developer portal shows them.</summary>
public sealed record ByokKeys(string XUserId, string Username, string ApiKey, string ApiSecret, string BearerToken, string? AccessToken, string? AccessTokenSecret)
{
    public static ByokKeys NewReadWrite(string? username = null)
    {
        var userId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tag = Guid.NewGuid().ToString("N");
        return new ByokKeys(userId, username ?? "byok_" + userId[..8], "ConsumerKey" + tag[..14], "ConsumerSecret" + tag, "AAAAAAAAAAAAAAAAAAAAA" + tag + "Bearer",
            $"{userId}-AccessToken{tag[..20]}", "AccessSecret" + tag);
    }

    public ByokKeys ReadOnly() => this with { AccessToken = null, AccessTokenSecret = null };

    public Dictionary<string, string> FormValues() => new()
    {
        ["ApiKeys.ApiKey"] = ApiKey,
        ["ApiKeys.ApiSecret"] = ApiSecret,
        ["ApiKeys.BearerToken"] = BearerToken,
        ["ApiKeys.AccessToken"] = AccessToken ?? "",
        ["ApiKeys.AccessTokenSecret"] = AccessTokenSecret ?? "",
        ["ApiKeys.Username"] = AccessToken is null ? Username : "",
    };
}
