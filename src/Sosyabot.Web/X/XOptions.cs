using System.ComponentModel.DataAnnotations;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.X;

// Where X lives and the environment's fallback OAuth 2.0 client. Every X URL comes from here so that
// tests, demos and the benchmark point at a stand-in. Bound once at boot: the admin panel, not a
// restart, is how credentials change while the app runs.
public sealed class XOptions
{
    [ConfigurationKeyName("X_API_BASE_URL"), Required, AbsoluteHttpUrl]
    public string ApiBaseUrl { get; set; } = "https://api.x.com";

    [ConfigurationKeyName("X_AUTHORIZE_URL"), Required, AbsoluteHttpUrl]
    public string AuthorizeUrl { get; set; } = "https://x.com/i/oauth2/authorize";

    [ConfigurationKeyName("X_WEB_BASE_URL"), Required, AbsoluteHttpUrl]
    public string WebBaseUrl { get; set; } = "https://x.com";

    // The bearer token x.com's own web client sends with every request; public, and the same for every
    // user. Cookie-connected channels need it because their calls impersonate that client.
    [ConfigurationKeyName("X_WEB_BEARER_TOKEN"), Required]
    public string WebClientBearerToken { get; set; } =
        "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA";

    [ConfigurationKeyName("TWITTER_CLIENT_ID")]
    public string? ClientId { get; set; }

    [ConfigurationKeyName("TWITTER_CLIENT_SECRET")]
    public string? ClientSecret { get; set; }
}
