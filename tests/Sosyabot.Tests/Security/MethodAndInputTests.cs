using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Security;

// Wrong methods, unknown handlers and junk bodies are the client's mistake: they answer 4xx, never 500.
public sealed class MethodAndInputTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    private const string JsonJunk = "{\"text\": ";

    [Fact]
    public async Task Post_PageWithoutPostHandler_Answers405WithAllowAndTheErrorPage()
    {
        var admin = (await app.LogInAsAdminAsync()).WithoutRedirects();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = Form(("x", "y")) };
        request.Headers.Add("RequestVerificationToken", await TokenAsync(admin));

        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(new[] { "GET", "HEAD" }, response.Content.Headers.Allow);
        var page = await HtmlForms.ParseAsync(response);
        Assert.Equal("Not possible here", page.QuerySelector("h1")?.TextContent);
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task OtherMethods_PageWithPostHandlers_Answer405NamingPost(string method)
    {
        var anonymous = app.CreateBrowserClient(followRedirects: false);

        using var response = await anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/account/login") { Content = Form(("a", "b")) });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(new[] { "GET", "HEAD", "POST" }, response.Content.Headers.Allow);
    }

    [Theory]
    [InlineData("/app/channels?handler=NoSuchHandler")]
    [InlineData("/app/settings/api-tokens?handler=NoSuchHandler")]
    public async Task Post_UnknownHandlerName_Answers404NotFoundPage(string url)
    {
        var admin = (await app.LogInAsAdminAsync()).WithoutRedirects();
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add("RequestVerificationToken", await TokenAsync(admin));

        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Not found", (await HtmlForms.ParseAsync(response)).QuerySelector("h1")?.TextContent);
    }

    [Fact]
    public async Task Post_MultipartWithoutBoundary_Answers400ErrorPage()
    {
        // As a browser's form post would, the token is in the body, which cannot be read.
        var admin = (await app.LogInAsAdminAsync()).WithoutRedirects();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/app/channels?handler=ConnectApiKeys") { Content = Raw("junk", "multipart/form-data") };

        using var response = await admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Bad request", (await HtmlForms.ParseAsync(response)).QuerySelector("h1")?.TextContent);
    }

    [Fact]
    public async Task Put_ApiRoute_Answers405ProblemWithAllow()
    {
        var admin = (await app.LogInAsAdminAsync()).WithoutRedirects();

        using var response = await admin.PutAsync("/api/v1/auth/twitter/unofficial", Raw(JsonJunk, "application/json"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(new[] { "POST" }, response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task EveryRoute_WrongMethodsAndJunkInput_NeverAnswers5xx()
    {
        var routes = Routes();
        var failures = new List<string>();
        var tried = 0;
        var anonymous = app.CreateBrowserClient(followRedirects: false);
        var admin = (await app.LogInAsAdminAsync()).WithoutRedirects();
        var token = await TokenAsync(admin);
        foreach (var url in routes)
        {
            // A handler run with junk may sign the admin out (logout, sign out everywhere); sign in again for the next route.
            using (var check = await admin.GetAsync("/app/channels"))
            {
                if (check.StatusCode != HttpStatusCode.OK)
                {
                    admin = (await app.LogInAsAdminAsync()).WithoutRedirects();
                    token = await TokenAsync(admin);
                }
            }
            foreach (var (method, suffix, content, label) in Attempts())
            {
                foreach (var (client, who) in new[] { (anonymous, "anonymous"), (admin, "admin") })
                {
                    using var request = new HttpRequestMessage(new HttpMethod(method), url + suffix) { Content = content() };
                    if (who == "admin")
                    {
                        request.Headers.Add("RequestVerificationToken", token);
                    }
                    using var response = await client.SendAsync(request);
                    tried++;
                    if ((int)response.StatusCode >= 500)
                    {
                        failures.Add($"{who} {method} {url}{suffix} [{label}] -> {(int)response.StatusCode}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {tried} requests answered 5xx:\n{string.Join("\n", failures)}");
        Assert.True(routes.Count >= 20, string.Join(", ", routes));
    }

    // Every route the app maps, each parameter filled with a well-formed value and with junk.
    private List<string> Routes()
    {
        var patterns = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern).DistinctBy(p => p.RawText).ToList();
        var urls = new List<string>();
        foreach (var pattern in patterns)
        {
            foreach (var value in new[] { "00000000-0000-0000-0000-000000000001", "not-a-guid", "%FF%FE%3Cx%3E", "99999999999999999999999" })
            {
                var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart parameter when parameter.Name == "handler" => "NoSuchHandler",
                    RoutePatternParameterPart => value,
                    _ => "",
                })));
                urls.Add("/" + string.Join("/", segments));
            }
        }
        return [.. urls.Distinct()];
    }

    private static IEnumerable<(string Method, string Suffix, Func<HttpContent?> Content, string Label)> Attempts() =>
    [
        ("GET", "?handler=NoSuchHandler", () => null, "unknown handler"),
        ("GET", "?page=-1&id=not-a-guid&before=yesterday&take=999999999999", () => null, "junk query"),
        ("POST", "", () => null, "no body"),
        ("POST", "?handler=NoSuchHandler", () => Form(("a", "b")), "unknown handler"),
        ("POST", "", () => Raw("a=%ZZ&&=&Input.Email[]=x&Input=1&Text=" + new string('x', 5000), "application/x-www-form-urlencoded"), "junk form"),
        ("POST", "", () => Raw("junk", "multipart/form-data"), "multipart without boundary"),
        ("POST", "", () => Raw("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated", "multipart/form-data; boundary=b"),
            "truncated multipart"),
        ("POST", "", () => Raw(JsonJunk, "application/json"), "truncated json"),
        ("POST", "", () => Raw("{\"text\": 5, \"channel_ids\": \"x\", \"scheduled_at\": \"yesterday\", \"media\": {}}", "application/json"),
            "json of the wrong types"),
        ("POST", "", () => Raw("\u0000\u00ff", "application/octet-stream"), "binary"),
        ("PUT", "", () => Form(("a", "b")), "form"),
        ("DELETE", "", () => null, "no body"),
        ("PATCH", "", () => Raw(JsonJunk, "application/json"), "truncated json"),
    ];

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static ByteArrayContent Raw(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    // The signed-in user's antiforgery token, sent as the header the antiforgery service reads besides the form field.
    private static async Task<string> TokenAsync(HttpClient client)
    {
        var page = await client.GetDocumentAsync("/app/channels");
        return page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }
}
