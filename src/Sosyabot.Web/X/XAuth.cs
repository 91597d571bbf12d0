using System.Net.Http.Headers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Sosyabot.Web.X;

// How one request to X proves who it is for. Never printed: it holds credentials.
public abstract class XAuth
{
    internal static readonly HttpRequestOptionsKey<XAuth> OptionKey = new("Sosyabot.XAuth");

    private XAuth()
    {
    }

    public override string ToString() => $"{GetType().Name} {{ redacted }}";

    // An OAuth 2.0 bearer: a user's access token, or an app's bearer token for app-only reads.
    public sealed class Bearer(string token) : XAuth
    {
        public string Token { get; } = token;
    }

    // OAuth 1.0a user context: the app's consumer key and secret and the user's access token and secret.
    public sealed class OAuth1(string consumerKey, string consumerSecret, string token, string tokenSecret) : XAuth
    {
        public string ConsumerKey { get; } = consumerKey;
        public string ConsumerSecret { get; } = consumerSecret;
        public string Token { get; } = token;
        public string TokenSecret { get; } = tokenSecret;
    }
}

// Puts the Authorization header on each attempt of a request to X. It sits inside the resilience
// handler, so a retried GET gets a fresh OAuth 1.0a nonce and timestamp rather than a replayed one.
public sealed class XRequestSigner(TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(XAuth.OptionKey, out var auth))
        {
            request.Headers.Authorization = auth switch
            {
                XAuth.Bearer bearer => new AuthenticationHeaderValue("Bearer", bearer.Token),
                XAuth.OAuth1 oauth1 => new AuthenticationHeaderValue("OAuth", await SignAsync(request, oauth1, cancellationToken)),
                _ => throw new InvalidOperationException($"Unknown X authorization {auth.GetType().Name}."),
            };
        }
        return await base.SendAsync(request, cancellationToken);
    }

    private async Task<string> SignAsync(HttpRequestMessage request, XAuth.OAuth1 auth, CancellationToken cancellationToken)
    {
        var url = request.RequestUri ?? throw new InvalidOperationException("The request to X has no URL.");
        var nonce = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(24));
        var protocol = OAuth1Signature.ProtocolParameters(auth.ConsumerKey, auth.Token, time.GetUtcNow(), nonce);

        // Only a form body takes part in the signature (RFC 5849 section 3.4.1.3.1); JSON and multipart bodies do not.
        var signed = OAuth1Signature.FormParameters(url.Query).Concat(protocol);
        if (request.Content is FormUrlEncodedContent form)
        {
            signed = signed.Concat(OAuth1Signature.FormParameters(await form.ReadAsStringAsync(cancellationToken)));
        }
        protocol["oauth_signature"] = OAuth1Signature.Sign(
            OAuth1Signature.BaseString(request.Method.Method, url, signed), auth.ConsumerSecret, auth.TokenSecret);
        return OAuth1Signature.AuthorizationHeaderValue(protocol)["OAuth ".Length..];
    }
}
