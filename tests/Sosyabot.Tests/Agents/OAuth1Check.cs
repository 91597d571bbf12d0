using Sosyabot.Web.X;
using WireMock;

namespace Sosyabot.Tests.Agents;

// Recomputes the OAuth 1.0a signature of a request X (WireMock) received, from what it received.
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
        if (request.Headers.TryGetValue("Content-Type", out var type)
            && type.Any(t => t.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)))
        {
            signed = signed.Concat(OAuth1Signature.FormParameters(request.Body));
        }
        var expected = OAuth1Signature.Sign(OAuth1Signature.BaseString(request.Method, url, signed), keys.ApiSecret, keys.AccessTokenSecret);
        Assert.True(expected == parameters["oauth_signature"],
            $"{request.Method} {request.Url}: signature {parameters["oauth_signature"]} but the request received signs as {expected}");
    }

    public static void AssertAppBearer(IRequestMessage request, ByokKeys keys) =>
        Assert.Equal($"Bearer {keys.BearerToken}", request.Headers!["Authorization"].Single());
}
