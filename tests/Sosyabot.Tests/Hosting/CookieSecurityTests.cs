using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Hosting;

public sealed class CookieSecurityTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task LogIn_BehindTlsEvenWhenTheProxySpeaksHttp_SetsHttpOnlySecureLaxCookies()
    {
        // The instance's BASE_URL is https (as behind a TLS-terminating proxy); the request reaches the app over http.
        var client = app.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://localhost") });
        using var form = await client.GetAsync("/account/login");
        var antiforgeryCookie = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        var page = await HtmlForms.ParseAsync(form);
        var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var login = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["Input.Email"] = SosyabotAppFactory.AdminEmail,
                ["Input.Password"] = SosyabotAppFactory.AdminPassword,
            }),
        };
        login.Headers.Add("Cookie", antiforgeryCookie.Split(';')[0]);
        using var response = await client.SendAsync(login);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var auth = Assert.Single(cookies, c => c.StartsWith("sosyabot.auth=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Contains("httponly", auth);
        Assert.Contains("secure", auth);
        Assert.Contains("samesite=lax", auth);
        Assert.All(cookies.Select(c => c.ToLowerInvariant()), c => Assert.Contains("secure", c));
        Assert.Contains("httponly", antiforgeryCookie.ToLowerInvariant());
        Assert.Contains("secure", antiforgeryCookie.ToLowerInvariant());
    }
}
