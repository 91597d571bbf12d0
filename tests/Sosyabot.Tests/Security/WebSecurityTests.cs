using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.XSandbox;

namespace Sosyabot.Tests.Security;

public sealed class WebSecurityTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    public static TheoryData<string> HostileReturnUrls =>
    [
        "https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
        "http:evil.example", "/%2F%2Fevil.example", " https://evil.example",
    ];

    [Theory]
    [MemberData(nameof(HostileReturnUrls))]
    public async Task Login_WithAForeignReturnUrl_StaysOnThisSite(string returnUrl)
    {
        var client = app.CreateBrowserClient(followRedirects: false);

        using var response = await client.SubmitLoginAsync($"/account/login?ReturnUrl={Uri.EscapeDataString(returnUrl)}",
            SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.True(!location.IsAbsoluteUri || location.Host == "localhost", $"redirected to {location}");
        var path = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
        // A browser leaves this site only for an absolute URL or one starting with // or /\ .
        Assert.StartsWith("/", path);
        Assert.False(path.StartsWith("//", StringComparison.Ordinal) || path.StartsWith("/\\", StringComparison.Ordinal), $"redirected to {location}");
    }

    [Fact]
    public async Task EveryPage_CarriesTheSecurityHeaders()
    {
        var admin = await app.LogInAsAdminAsync();
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null && !e.RoutePattern.Parameters.Any(p => !p.IsOptional))
            .Select(e => "/" + e.RoutePattern.RawText!.Split('{')[0].Trim('/'))
            .Distinct()
            .Concat(["/app/channels/00000000-0000-0000-0000-000000000000", "/api/v1/channels", "/no-such-page", "/healthz"])
            .ToList();

        foreach (var path in pages)
        {
            using var response = await admin.GetAsync(path);
            var headers = response.Headers;
            Assert.True(headers.TryGetValues("Content-Security-Policy", out var csp), $"{path}: no CSP");
            Assert.Contains("frame-ancestors 'none'", csp!.Single());
            Assert.Contains("default-src 'self'", csp!.Single());
            Assert.DoesNotContain("unsafe-inline", csp!.Single());
            Assert.Equal("nosniff", headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("strict-origin-when-cross-origin", headers.GetValues("Referrer-Policy").Single());
        }
        Assert.True(pages.Count >= 12, string.Join(", ", pages));
    }
}

// What X's token endpoint does with PKCE, which the sandbox plays for every demo and browser test.
public sealed class SandboxPkceTests : IAsyncLifetime
{
    private readonly WebApplication _sandbox = SandboxApp.Create(["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning"]);
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        await _sandbox.StartAsync();
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(_sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()),
        };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sandbox.DisposeAsync();
    }

    [Theory]
    [InlineData(null, "code verifier did not match")]
    [InlineData("a-verifier-that-is-not-the-one-challenged-0123456789", "code verifier did not match")]
    public async Task TokenRequest_MissingOrMismatchedVerifier_IsRefused(string? verifier, string expected)
    {
        var code = await AuthorizeAsync(challengeOf: "the-real-verifier-0123456789-0123456789-abcdef");
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = "https://sosyabot.example.test/api/v1/auth/twitter/callback",
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/2/oauth2/token") { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("sandbox-client-id:sandbox-client-secret"u8.ToArray()));

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> AuthorizeAsync(string challengeOf)
    {
        var challenge = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
            System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(challengeOf)));
        using var consent = await _http.PostAsync("/i/oauth2/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "sandbox-client-id", ["redirect_uri"] = "https://sosyabot.example.test/api/v1/auth/twitter/callback", ["state"] = "s",
            ["code_challenge"] = challenge, ["scope"] = "tweet.read users.read", ["decision"] = "authorize", ["account"] = SandboxState.Accounts[0].Id,
        }));
        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(consent.Headers.Location!.Query)["code"]!;
    }
}
