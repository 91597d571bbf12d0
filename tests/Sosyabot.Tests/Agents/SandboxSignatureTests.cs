using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Web.X;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Agents;

// The XSandbox refuses what X refuses: bad or replayed OAuth 1.0a signatures, app-only bearers where a user is needed.
public sealed class SandboxSignatureTests : IAsyncLifetime
{
    private readonly WebApplication _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    private HttpClient _http = null!;
    private static readonly SandboxAccount Alice = SandboxState.Accounts[0];

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        _http = new HttpClient
        {
            BaseAddress = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()),
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task UsersMe_CorrectlySigned_AnswersTheAccount()
    {
        using var response = await _http.SendAsync(Signed(HttpMethod.Get, "/2/users/me?user.fields=profile_image_url", Alice.AccessTokenSecret, "nonce-ok"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Alice.Username, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UsersMe_SignedWithTheWrongSecretOrForAnotherUrl_Answers401()
    {
        using var wrongSecret = await _http.SendAsync(Signed(HttpMethod.Get, "/2/users/me", "not-the-secret", "nonce-a"));
        var tampered = Signed(HttpMethod.Get, "/2/users/me?user.fields=profile_image_url", Alice.AccessTokenSecret, "nonce-b");
        tampered.RequestUri = new Uri(_http.BaseAddress!, "/2/users/me?user.fields=id");
        using var otherUrl = await _http.SendAsync(tampered);

        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherUrl.StatusCode);
    }

    [Fact]
    public async Task UsersMe_ReplayedNonce_Answers401TheSecondTime()
    {
        var first = Signed(HttpMethod.Get, "/2/users/me", Alice.AccessTokenSecret, "nonce-replayed");
        var replay = new HttpRequestMessage(HttpMethod.Get, first.RequestUri);
        replay.Headers.TryAddWithoutValidation("Authorization", first.Headers.GetValues("Authorization"));

        using var accepted = await _http.SendAsync(first);
        using var replayed = await _http.SendAsync(replay);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task UserContextEndpoint_WithTheAppBearer_Answers403UnsupportedAuthentication()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/2/users/{Alice.Id}/likes") { Content = JsonContent.Create(new { tweet_id = "1" }) };
        request.Headers.Authorization = new("Bearer", SandboxAuth.AppBearerToken);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("Application-Only is forbidden", await response.Content.ReadAsStringAsync());
    }

    private HttpRequestMessage Signed(HttpMethod method, string pathAndQuery, string tokenSecret, string nonce)
    {
        var request = new HttpRequestMessage(method, new Uri(_http.BaseAddress!, pathAndQuery));
        var protocol = OAuth1Signature.ProtocolParameters(
            SandboxAuth.ConsumerKey, Alice.AccessToken, DateTimeOffset.UtcNow, nonce + Guid.NewGuid().ToString("N"));
        var signed = OAuth1Signature.FormParameters(request.RequestUri!.Query).Concat(protocol);
        protocol["oauth_signature"] = OAuth1Signature.Sign(
            OAuth1Signature.BaseString(method.Method, request.RequestUri, signed), SandboxAuth.ConsumerSecret, tokenSecret);
        request.Headers.TryAddWithoutValidation("Authorization", OAuth1Signature.AuthorizationHeaderValue(protocol));
        return request;
    }
}
