using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Http;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Tests.Hosting;

// Behind a reverse proxy at 10.0.0.0/8, as FORWARDED_PROXIES would say; BASE_URL is https://sosyabot.example.test.
public sealed class ProxiedAppFactory : SosyabotAppFactory
{
    public const string ProxyAddress = "10.0.3.7";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["FORWARDED_PROXIES"] = "10.0.0.0/8, 192.0.2.1",
    };
}

public sealed class HostAndProxyTests(ProxiedAppFactory app) : IClassFixture<ProxiedAppFactory>
{
    private const string PublicHost = "sosyabot.example.test";

    public static TheoryData<string, string> ForeignHostRequests => new()
    {
        { "GET", "/" },
        { "GET", "/app/channels" },
        { "GET", "/account/login?ReturnUrl=%2Fapp%2Fchannels" },
        { "POST", "/account/login" },
        { "GET", "/no-such-page" },
        { "GET", "/api/v1/channels" },
        { "GET", "/api/v1/auth/twitter/callback?code=x&state=y" },
    };

    [Theory]
    [MemberData(nameof(ForeignHostRequests))]
    public async Task AnyRoute_ForeignHost_Answers400WithoutNamingIt(string method, string path)
    {
        foreach (var host in new[] { "evil.example", "evil.example:443", "sosyabot.example.test.evil.example", "[::2]", "" })
        {
            var context = await SendAsync(method, path, host, remote: "203.0.113.9");

            Assert.True(context.Response.StatusCode == StatusCodes.Status400BadRequest, $"{method} {path} as '{host}': {context.Response.StatusCode}");
            Assert.False(context.Response.Headers.ContainsKey("Location"), $"{method} {path} as '{host}' redirected");
            var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
            Assert.Contains("does not answer to that host name", body);
            Assert.DoesNotContain("evil", body);
        }
    }

    [Fact]
    public async Task SignInRedirect_ForeignForwardedHost_NeverNamesIt()
    {
        // From a trusted proxy the forwarded host is believed only if it is one of ours; from anyone else never.
        foreach (var remote in new[] { ProxiedAppFactory.ProxyAddress, "203.0.113.9" })
        {
            var context = await SendAsync("GET", "/app/channels", PublicHost, remote, new() { ["X-Forwarded-Host"] = "evil.example" });

            var location = context.Response.Headers.Location.ToString();
            Assert.True(context.Response.StatusCode is 302 or 400, $"from {remote}: {context.Response.StatusCode}");
            Assert.DoesNotContain("evil", location);
        }
    }

    [Fact]
    public async Task SignInRedirect_TrustedProxyForwardsHttps_RedirectsToHttpsWithHsts()
    {
        var context = await SendAsync("GET", "/app/channels", "app:8080", ProxiedAppFactory.ProxyAddress, new()
        {
            ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = PublicHost, ["X-Forwarded-For"] = "198.51.100.23",
        });

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.StartsWith($"https://{PublicHost}/account/login", context.Response.Headers.Location.ToString());
        Assert.Equal("max-age=31536000", context.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Fact]
    public async Task SignInRedirect_UntrustedClientSendsForwardedHeaders_TheyAreIgnored()
    {
        var context = await SendAsync("GET", "/app/channels", PublicHost, "203.0.113.9", new()
        {
            ["X-Forwarded-Proto"] = "https", ["X-Forwarded-Host"] = "localhost", ["X-Forwarded-For"] = "198.51.100.23",
        });

        Assert.Equal(StatusCodes.Status302Found, context.Response.StatusCode);
        Assert.StartsWith($"http://{PublicHost}/account/login", context.Response.Headers.Location.ToString());
        Assert.False(context.Response.Headers.ContainsKey("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData(ProxiedAppFactory.ProxyAddress, "198.51.100.23, 10.0.9.9", "198.51.100.23")]
    [InlineData("192.0.2.1", "198.51.100.24", "198.51.100.24")]
    [InlineData("203.0.113.9", "198.51.100.25", "203.0.113.9")]
    [InlineData("192.0.2.2", "198.51.100.26", "192.0.2.2")]
    // A trusted proxy passes on what the client claimed before it; the first untrusted hop is the client.
    [InlineData(ProxiedAppFactory.ProxyAddress, "198.51.100.27, 203.0.113.10", "203.0.113.10")]
    public async Task RequestLog_ForwardedFor_ClientIpIsForwardedOnlyByTrustedProxies(string remote, string forwardedFor, string expectedClient)
    {
        var path = $"/no-such-page-{Guid.NewGuid():N}";

        await SendAsync("GET", path, PublicHost, remote, new() { ["X-Forwarded-For"] = forwardedFor });

        var line = Assert.Single(app.Logs.Lines, l => l.Contains(path, StringComparison.Ordinal) && l.Contains("ClientIp=", StringComparison.Ordinal));
        Assert.Contains($"ClientIp=\"{expectedClient}\"", line);
    }

    [Fact]
    public async Task AnyPage_PlainHttp_CarriesNoHsts()
    {
        var context = await SendAsync("GET", "/account/login", PublicHost, "203.0.113.9");

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.False(context.Response.Headers.ContainsKey("Strict-Transport-Security"));
    }

    [Fact]
    public async Task AnyPage_Https_CarriesHstsWithoutSubdomains()
    {
        var context = await SendAsync("GET", "/account/login", PublicHost, "203.0.113.9", scheme: "https");

        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("max-age=31536000", context.Response.Headers.StrictTransportSecurity.ToString());
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task HealthEndpoints_ProbedByContainerAddress_AnswerHealthy(string path)
    {
        // The Dockerfile's HEALTHCHECK asks 127.0.0.1:8080; Kubernetes asks by the pod's IP.
        foreach (var host in new[] { "127.0.0.1:8080", "10.244.1.17:8080" })
        {
            var context = await SendAsync("GET", path, host, "127.0.0.1");

            Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        }
    }

    [Fact]
    public async Task LoginPage_Csp_AllowsFormsOnlyToThisSiteAndXsConsentPage()
    {
        var context = await SendAsync("GET", "/account/login", PublicHost, "203.0.113.9");

        var csp = context.Response.Headers.ContentSecurityPolicy.ToString();
        Assert.Contains("form-action 'self' https://x.com", csp);
        Assert.DoesNotContain("form-action *", csp);
    }

    [Theory]
    [InlineData("FORWARDED_PROXIES", "10.0.0.0/33", "FORWARDED_PROXIES")]
    [InlineData("FORWARDED_PROXIES", "proxy.internal", "FORWARDED_PROXIES")]
    [InlineData("ALLOWED_HOSTS", "https://sosyabot.example.com", "ALLOWED_HOSTS")]
    [InlineData("ALLOWED_HOSTS", "sosyabot.example.com:8443", "ALLOWED_HOSTS")]
    public void SiteOptions_MalformedList_IsRefusedNamingTheSetting(string setting, string value, string named)
    {
        var options = new SiteOptions { BaseUrl = "https://sosyabot.example.com" };
        if (setting == "FORWARDED_PROXIES")
        {
            options.ForwardedProxies = value;
        }
        else
        {
            options.AllowedHosts = value;
        }
        var errors = new List<ValidationResult>();

        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true));
        Assert.Contains(named, Assert.Single(errors).ErrorMessage);
        Assert.Contains(value, Assert.Single(errors).ErrorMessage);
    }

    [Fact]
    public void HostNames_LoopbackBaseUrl_AnswersToEveryLoopbackName()
    {
        var options = new SiteOptions { BaseUrl = "http://localhost:8080", AllowedHosts = "sosyabot.lan, *.example.org" };

        Assert.Equal(new[] { "localhost", "127.0.0.1", "[::1]", "sosyabot.lan", "*.example.org" }, options.HostNames());
        Assert.Equal(new[] { "sosyabot.example.com" }, new SiteOptions { BaseUrl = "https://sosyabot.example.com/" }.HostNames());
    }

    private Task<HttpContext> SendAsync(
        string method, string path, string host, string remote, Dictionary<string, string>? headers = null, string scheme = "http") =>
        app.Server.SendAsync(context =>
        {
            var request = context.Request;
            request.Method = method;
            request.Scheme = scheme;
            var query = path.IndexOf('?', StringComparison.Ordinal);
            request.Path = query < 0 ? path : path[..query];
            request.QueryString = query < 0 ? QueryString.Empty : new QueryString(path[query..]);
            request.Host = host.Length == 0 ? default : new HostString(host);
            context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            foreach (var (name, value) in headers ?? new())
            {
                request.Headers[name] = value;
            }
        });
}
