using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Extensions;
using Sosyabot.Web.X;

namespace Sosyabot.XSandbox;

// Who a request to the sandbox comes from: an account (user context) or the app alone (its bearer token).
public sealed record SandboxCaller(SandboxAccount? Account)
{
    public bool AppOnly => Account is null;
}

// X's three ways in, as X checks them: an OAuth 2.0 user access token, the developer app's bearer token
// (app-only, reads), and OAuth 1.0a user context, whose HMAC-SHA1 signature is recomputed from the request
// as received (method, URL, query, form body) with a five-minute timestamp window and single-use nonces.
public static class SandboxAuth
{
    // The sandbox's one developer app for bring-your-own-keys channels, as its portal would show it.
    public const string ConsumerKey = "SandboxConsumerKey0001";
    public const string ConsumerSecret = "SandboxConsumerSecret00000000000000000001";
    public const string AppBearerToken = "AAAAAAAAAAAAAAAAAAAAASandboxAppBearerToken000000000000000001";

    private static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(5);

    public static async Task<SandboxCaller?> CallerAsync(HttpRequest request, SandboxState state, TimeProvider time)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            var token = header["Bearer ".Length..];
            if (token == AppBearerToken)
            {
                return new SandboxCaller(null);
            }
            return state.AccessTokens.TryGetValue(token, out var access) && !access.Grant.Revoked && access.ExpiresAt > time.GetUtcNow()
                ? new SandboxCaller(access.Grant.Account)
                : null;
        }
        return await VerifyOAuth1Async(request, header, state, time) is { } account ? new SandboxCaller(account) : null;
    }

    // The account for a user-context endpoint; the refusal X gives otherwise (401, or 403 for an app-only bearer).
    public static async Task<(SandboxAccount? Account, IResult? Refusal)> UserAsync(HttpRequest request, SandboxState state, TimeProvider time)
    {
        var caller = await CallerAsync(request, state, time);
        return caller switch
        {
            null => (null, Unauthorized()),
            { AppOnly: true } => (null, Results.Json(new
            {
                title = "Unsupported Authentication",
                detail = "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  " +
                    "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
                type = "https://api.twitter.com/2/problems/unsupported-authentication",
                status = 403,
            }, statusCode: 403)),
            _ => (caller.Account, null),
        };
    }

    public static IResult Unauthorized() =>
        Results.Json(new { title = "Unauthorized", type = "about:blank", status = 401, detail = "Unauthorized" }, statusCode: 401);

    private static async Task<SandboxAccount?> VerifyOAuth1Async(HttpRequest request, string header, SandboxState state, TimeProvider time)
    {
        var oauth = OAuth1Signature.ParseAuthorizationHeader(header);
        if (oauth is null
            || !oauth.TryGetValue("oauth_consumer_key", out var consumerKey) || consumerKey != ConsumerKey
            || !oauth.TryGetValue("oauth_token", out var token) || state.Everyone.FirstOrDefault(a => a.AccessToken == token) is not { } account
            || oauth.GetValueOrDefault("oauth_signature_method") != OAuth1Signature.Method
            || !long.TryParse(oauth.GetValueOrDefault("oauth_timestamp"), out var timestamp)
            || (time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp)).Duration() > TimestampTolerance
            || !oauth.TryGetValue("oauth_nonce", out var nonce) || !oauth.TryGetValue("oauth_signature", out var signature))
        {
            return null;
        }

        var url = new Uri(request.GetEncodedUrl());
        IEnumerable<KeyValuePair<string, string>> signed = [.. OAuth1Signature.FormParameters(url.Query), .. oauth];
        if (request.HasFormContentType && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) == true)
        {
            var form = await request.ReadFormAsync();
            signed = signed.Concat(form.SelectMany(field => field.Value.Select(value => new KeyValuePair<string, string>(field.Key, value ?? ""))));
        }
        var expected = OAuth1Signature.Sign(OAuth1Signature.BaseString(request.Method, url, signed), ConsumerSecret, account.AccessTokenSecret);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
        {
            return null;
        }
        // A nonce serves once (per timestamp window), as OAuth 1.0a requires of servers.
        return state.SeenNonces.TryAdd($"{timestamp}:{nonce}", 0) ? account : null;
    }
}
