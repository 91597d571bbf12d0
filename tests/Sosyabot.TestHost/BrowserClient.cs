using System.Net;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Sosyabot.TestHost;

// An HttpClient with a cookie jar, like a browser tab. WithoutRedirects shares the jar, so a test can stop
// at a redirect (to X's consent page, say) and carry on as the same user.
public sealed class BrowserClient : HttpClient
{
    private readonly Func<HttpMessageHandler> _server;

    public BrowserClient(Func<HttpMessageHandler> server, CookieContainer cookies, bool followRedirects)
        : base(Chain(server(), cookies, followRedirects))
    {
        _server = server;
        Cookies = cookies;
        // https, like the instance's BASE_URL in tests: its cookies are Secure and a cookie jar sends them only over https.
        BaseAddress = new Uri("https://localhost");
    }

    public CookieContainer Cookies { get; }

    public BrowserClient WithoutRedirects() => new(_server, Cookies, followRedirects: false);

    private static HttpMessageHandler Chain(HttpMessageHandler server, CookieContainer cookies, bool followRedirects)
    {
        HttpMessageHandler handler = new CookieContainerHandler(cookies) { InnerHandler = server };
        return followRedirects ? new RedirectHandler { InnerHandler = handler } : handler;
    }
}
