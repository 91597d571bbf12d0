using System.Net;
using System.Text.Json.Serialization;

namespace Sosyabot.Web.X;

// The OAuth 2.0 client as resolved at the moment of a request (admin panel, then environment).
public sealed record XClientCredentials(string ClientId, string ClientSecret);

public sealed record XTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("token_type")] string? TokenType);

public sealed record XUserProfile(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("profile_image_url")] string? ProfileImageUrl,
    // X's users/me with user.fields=subscription_type: None, Basic, Premium or PremiumPlus; null where X did not say.
    [property: JsonPropertyName("subscription_type")] string? SubscriptionType = null);

// One rate-limit window as X reported it in a response's headers.
public sealed record XRateWindow(int Limit, int Remaining, DateTimeOffset ResetAt);

// The rate-limit headers of one response: the endpoint's 15-minute window and X's 24-hour caps.
public sealed record XRateLimits(XRateWindow? Endpoint, XRateWindow? AppDay, XRateWindow? UserDay)
{
    public static readonly XRateLimits None = new(null, null, null);

    // When X takes requests again after a 429: a spent 24-hour cap outlasts the endpoint's window.
    public DateTimeOffset? SpentUntil =>
        new[] { AppDay, UserDay }.Where(w => w is { Remaining: 0 }).Select(w => (DateTimeOffset?)w!.ResetAt).Append(Endpoint?.ResetAt).Max();

    public static XRateLimits From(HttpResponseMessage response) => new(
        Window(response, "x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"),
        Window(response, "x-app-limit-24hour-limit", "x-app-limit-24hour-remaining", "x-app-limit-24hour-reset"),
        Window(response, "x-user-limit-24hour-limit", "x-user-limit-24hour-remaining", "x-user-limit-24hour-reset"));

    private static XRateWindow? Window(HttpResponseMessage response, string limit, string remaining, string reset) =>
        Header(response, reset) is { } resetSeconds
            ? new XRateWindow((int)(Header(response, limit) ?? 0), (int)(Header(response, remaining) ?? 0), DateTimeOffset.FromUnixTimeSeconds(resetSeconds))
            : null;

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), out var value) ? value : null;
}

public sealed record XCreatedTweet(string Id, XRateLimits RateLimits);

public sealed record XUploadedMedia(string MediaId, DateTimeOffset ExpiresAt);

// A post as X gives it back: links in Text are t.co links (the originals are in
// Entities, when asked for), &, < and > come HTML-escaped,
// and a long post's full text is in NoteTweet.
public sealed record XTweet(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("author_id")] string? AuthorId = null,
    [property: JsonPropertyName("conversation_id")] string? ConversationId = null,
    [property: JsonPropertyName("entities"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] XTweetEntities? Entities = null,
    [property: JsonPropertyName("note_tweet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] XNoteTweet? NoteTweet = null);

public sealed record XTweetEntities([property: JsonPropertyName("urls")] IReadOnlyList<XUrlEntity>? Urls);

// A link X rewrote: Url is the t.co link in the text, ExpandedUrl the one that was posted.
public sealed record XUrlEntity(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("expanded_url")] string? ExpandedUrl,
    [property: JsonPropertyName("display_url")] string? DisplayUrl);

public sealed record XNoteTweet(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("entities")] XTweetEntities? Entities);

// One post to create: its text, what it answers or quotes, and media already uploaded.
public sealed record XTweetDraft(string Text, string? InReplyToTweetId = null, string? QuoteTweetId = null, IReadOnlyList<string>? MediaIds = null);

// Which page of a list to ask X for; X's own pagination token passes through untouched.
public sealed record XPageRequest(int? MaxResults, string? PageToken)
{
    public Dictionary<string, string?> ToQuery(string tokenParameter)
    {
        var query = new Dictionary<string, string?>();
        if (MaxResults is { } max)
        {
            query["max_results"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        if (!string.IsNullOrEmpty(PageToken))
        {
            query[tokenParameter] = PageToken;
        }
        return query;
    }
}

public sealed record XTweetPage(IReadOnlyList<XTweet> Tweets, string? NextToken);

// The user-to-post relations X lets a user switch on and off; the names are X's path segments.
public enum XTweetRelation
{
    Likes,
    Retweets,
    Bookmarks,
}

public sealed record XSentMessage(
    [property: JsonPropertyName("dm_conversation_id")] string ConversationId,
    [property: JsonPropertyName("dm_event_id")] string EventId)
{
    [JsonIgnore]
    public XRateLimits RateLimits { get; init; } = XRateLimits.None;
}

public sealed record XMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("sender_id")] string? SenderId,
    [property: JsonPropertyName("dm_conversation_id")] string? ConversationId,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt);

public sealed record XMessagePage(IReadOnlyList<XMessage> Messages, string? NextToken);

// The public metrics X counts for a post (tweet.fields=public_metrics).
public sealed record XPublicMetrics(
    [property: JsonPropertyName("impression_count")] long ImpressionCount,
    [property: JsonPropertyName("like_count")] long LikeCount,
    [property: JsonPropertyName("retweet_count")] long RetweetCount,
    [property: JsonPropertyName("reply_count")] long ReplyCount,
    [property: JsonPropertyName("quote_count")] long QuoteCount,
    [property: JsonPropertyName("bookmark_count")] long BookmarkCount);

public sealed record XTweetMetrics(string TweetId, XPublicMetrics Metrics);

// An id X could not give back in a lookup (deleted, protected, suspended): X's own title and detail.
public sealed record XLookupError(string TweetId, string Title, string Detail, string Type)
{
    public bool IsNotFound => Type.EndsWith("/resource-not-found", StringComparison.Ordinal);
}

public sealed record XTweetMetricsLookup(IReadOnlyList<XTweetMetrics> Found, IReadOnlyList<XLookupError> Missing, XRateLimits RateLimits);

// X answered with an error. Carries X's own words (OAuth error/error_description, or the
// v2 problem's title/detail) so that what a person sees names X's reason. X's error bodies
// hold no credentials, so this is safe to log.
public class XApiException(HttpStatusCode status, string? error, string? description, XRateLimits? rateLimits = null)
    : Exception($"X answered {(int)status}{(error is null ? "" : " " + error)}{(description is null ? "" : ": " + description)}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Error { get; } = error;
    public string? Description { get; } = description;
    public XRateLimits RateLimits { get; } = rateLimits ?? XRateLimits.None;

    // X's "Usage cap exceeded" answer: the account's or app's monthly post cap, not a rate window.
    public bool IsUsageCapped =>
        (Error ?? "").Contains("UsageCap", StringComparison.OrdinalIgnoreCase)
        || (Description ?? "").Contains("usage cap", StringComparison.OrdinalIgnoreCase)
        || (Error ?? "").Contains("usage-capped", StringComparison.OrdinalIgnoreCase);

    // X's 403 for a text over the account's limit (280 without a subscription that includes long posts).
    public bool IsTextTooLong => Status == HttpStatusCode.Forbidden && (Description ?? "").Contains("text is too long", StringComparison.OrdinalIgnoreCase);

    public bool IsDuplicateContent => Status == HttpStatusCode.Forbidden && (Description ?? "").Contains("duplicate", StringComparison.OrdinalIgnoreCase);
}
