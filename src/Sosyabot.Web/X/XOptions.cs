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

    // Optional: unset, it follows X_WEB_BASE_URL (upload.x.com for x.com, the base itself for a stand-in).
    [ConfigurationKeyName("X_WEB_UPLOAD_BASE_URL"), OptionalAbsoluteHttpUrl]
    public string? WebUploadBaseUrl { get; set; }

    // x.com's web client answers to these GraphQL query ids and feature flags only as long as its current
    // bundle does; they are settings (admin panel -> these variables -> the defaults of docs/x-web-path.md).
    [ConfigurationKeyName("X_WEB_QUERY_ID_CREATETWEET"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdCreateTweet { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.CreateTweet];

    [ConfigurationKeyName("X_WEB_QUERY_ID_HOMELATESTTIMELINE"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdHomeLatestTimeline { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.HomeLatestTimeline];

    [ConfigurationKeyName("X_WEB_QUERY_ID_USERTWEETS"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdUserTweets { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.UserTweets];

    [ConfigurationKeyName("X_WEB_QUERY_ID_SEARCHTIMELINE"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdSearchTimeline { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.SearchTimeline];

    [ConfigurationKeyName("X_WEB_QUERY_ID_FAVORITETWEET"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdFavoriteTweet { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.FavoriteTweet];

    [ConfigurationKeyName("X_WEB_QUERY_ID_CREATERETWEET"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdCreateRetweet { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.CreateRetweet];

    [ConfigurationKeyName("X_WEB_QUERY_ID_CREATEBOOKMARK"), Required, RegularExpression(XWebOperations.QueryIdPattern)]
    public string QueryIdCreateBookmark { get; set; } = XWebOperations.DefaultQueryIds[XWebOperations.CreateBookmark];

    [ConfigurationKeyName("X_WEB_FEATURES_TWEET"), Required, JsonFeatureFlags]
    public string TweetFeatures { get; set; } = XWebOperations.DefaultTweetFeatures;

    [ConfigurationKeyName("X_WEB_FEATURES_TIMELINE"), Required, JsonFeatureFlags]
    public string TimelineFeatures { get; set; } = XWebOperations.DefaultTimelineFeatures;

    public string ResolvedWebUploadBaseUrl => !string.IsNullOrEmpty(WebUploadBaseUrl) ? WebUploadBaseUrl : XWebOperations.UploadBaseFor(WebBaseUrl);

    public string EnvironmentQueryId(string operation) => operation switch
    {
        XWebOperations.CreateTweet => QueryIdCreateTweet,
        XWebOperations.HomeLatestTimeline => QueryIdHomeLatestTimeline,
        XWebOperations.UserTweets => QueryIdUserTweets,
        XWebOperations.SearchTimeline => QueryIdSearchTimeline,
        XWebOperations.FavoriteTweet => QueryIdFavoriteTweet,
        XWebOperations.CreateRetweet => QueryIdCreateRetweet,
        XWebOperations.CreateBookmark => QueryIdCreateBookmark,
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a GraphQL operation of the web path."),
    };

    [ConfigurationKeyName("TWITTER_CLIENT_ID")]
    public string? ClientId { get; set; }

    [ConfigurationKeyName("TWITTER_CLIENT_SECRET")]
    public string? ClientSecret { get; set; }
}
