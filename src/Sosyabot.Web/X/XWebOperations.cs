using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.X;

// The GraphQL operations of x.com's web client that cookie channels use, with the defaults of
// docs/x-web-path.md. These rot with x.com's bundles: each is a setting an admin can change without a release.
public static class XWebOperations
{
    public const string CreateTweet = "CreateTweet";
    public const string HomeLatestTimeline = "HomeLatestTimeline";
    public const string UserTweets = "UserTweets";
    public const string SearchTimeline = "SearchTimeline";
    public const string FavoriteTweet = "FavoriteTweet";
    public const string CreateRetweet = "CreateRetweet";
    public const string CreateBookmark = "CreateBookmark";

    public const string QueryIdPattern = "^[A-Za-z0-9_-]{10,64}$";

    public static readonly IReadOnlyList<string> All =
        [CreateTweet, HomeLatestTimeline, UserTweets, SearchTimeline, FavoriteTweet, CreateRetweet, CreateBookmark];

    public static readonly IReadOnlyDictionary<string, string> DefaultQueryIds = new Dictionary<string, string>
    {
        [CreateTweet] = "IID9x6WsdMnTlXnzXGq8ng",
        [HomeLatestTimeline] = "BKB7oi212Fi7kQtCBGE4zA",
        [UserTweets] = "eoJ5zbv51Z_KVl81v9PmLQ",
        [SearchTimeline] = "BGd0T_j7oVwlW5U79tO_0A",
        [FavoriteTweet] = "lI07N6Otwv1PhnEgXILM7A",
        [CreateRetweet] = "LFho5rIi4xcKO90p9jwG7A",
        [CreateBookmark] = "aoDbu3RHznuiSkQ9aNM67Q",
    };

    // CreateTweet's flags (twitter-openapi placeholder.json); x.com refuses a request missing one it expects (code 336).
    public const string DefaultTweetFeatures = """
        {"premium_content_api_read_enabled":false,"communities_web_enable_tweet_community_results_fetch":true,"c9s_tweet_anatomy_moderator_badge_enabled":true,"responsive_web_grok_analyze_button_fetch_trends_enabled":false,"responsive_web_grok_analyze_post_followups_enabled":true,"responsive_web_jetfuel_frame":false,"responsive_web_grok_share_attachment_enabled":true,"responsive_web_edit_tweet_api_enabled":true,"graphql_is_translatable_rweb_tweet_is_translatable_enabled":true,"view_counts_everywhere_api_enabled":true,"longform_notetweets_consumption_enabled":true,"responsive_web_twitter_article_tweet_consumption_enabled":true,"tweet_awards_web_tipping_enabled":false,"responsive_web_grok_show_grok_translated_post":false,"responsive_web_grok_analysis_button_from_backend":false,"creator_subscriptions_quote_tweet_preview_enabled":false,"longform_notetweets_rich_text_read_enabled":true,"longform_notetweets_inline_media_enabled":true,"profile_label_improvements_pcf_label_in_post_enabled":true,"rweb_tipjar_consumption_enabled":true,"verified_phone_label_enabled":false,"articles_preview_enabled":true,"responsive_web_graphql_skip_user_profile_image_extensions_enabled":false,"freedom_of_speech_not_reach_fetch_enabled":true,"standardized_nudges_misinfo":true,"tweet_with_visibility_results_prefer_gql_limited_actions_policy_enabled":true,"responsive_web_grok_image_annotation_enabled":true,"responsive_web_graphql_timeline_navigation_enabled":true,"responsive_web_enhance_cards_enabled":false}
        """;

    // The timelines send the tweet flags plus two of their own.
    public const string DefaultTimelineFeatures = """
        {"premium_content_api_read_enabled":false,"communities_web_enable_tweet_community_results_fetch":true,"c9s_tweet_anatomy_moderator_badge_enabled":true,"responsive_web_grok_analyze_button_fetch_trends_enabled":false,"responsive_web_grok_analyze_post_followups_enabled":true,"responsive_web_jetfuel_frame":false,"responsive_web_grok_share_attachment_enabled":true,"responsive_web_edit_tweet_api_enabled":true,"graphql_is_translatable_rweb_tweet_is_translatable_enabled":true,"view_counts_everywhere_api_enabled":true,"longform_notetweets_consumption_enabled":true,"responsive_web_twitter_article_tweet_consumption_enabled":true,"tweet_awards_web_tipping_enabled":false,"responsive_web_grok_show_grok_translated_post":false,"responsive_web_grok_analysis_button_from_backend":false,"creator_subscriptions_quote_tweet_preview_enabled":false,"longform_notetweets_rich_text_read_enabled":true,"longform_notetweets_inline_media_enabled":true,"profile_label_improvements_pcf_label_in_post_enabled":true,"rweb_tipjar_consumption_enabled":true,"verified_phone_label_enabled":false,"articles_preview_enabled":true,"responsive_web_graphql_skip_user_profile_image_extensions_enabled":false,"freedom_of_speech_not_reach_fetch_enabled":true,"standardized_nudges_misinfo":true,"tweet_with_visibility_results_prefer_gql_limited_actions_policy_enabled":true,"responsive_web_grok_image_annotation_enabled":true,"responsive_web_graphql_timeline_navigation_enabled":true,"responsive_web_enhance_cards_enabled":false,"rweb_video_screen_enabled":false,"creator_subscriptions_tweet_preview_api_enabled":true}
        """;

    public const string TweetFeaturesVariable = "X_WEB_FEATURES_TWEET";
    public const string TimelineFeaturesVariable = "X_WEB_FEATURES_TIMELINE";

    public static string QueryIdVariable(string operation) => "X_WEB_QUERY_ID_" + operation.ToUpperInvariant();

    public static string QueryIdOptionKey(string operation) => "x-twitter_web_query-id_" + operation;

    public const string TweetFeaturesOptionKey = "x-twitter_web_features_tweet";
    public const string TimelineFeaturesOptionKey = "x-twitter_web_features_timeline";

    // The web client reaches upload.x.com; a stand-in (the sandbox, WireMock) serves everything on one base.
    public static string UploadBaseFor(string webBaseUrl)
    {
        var uri = new Uri(webBaseUrl);
        return uri.Host is "x.com" or "twitter.com" or "www.x.com" or "www.twitter.com"
            ? $"https://upload.{uri.Host.Replace("www.", "", StringComparison.Ordinal)}"
            : webBaseUrl.TrimEnd('/');
    }

    public static string? FeaturesProblem(string? json)
    {
        try
        {
            using var document = JsonDocument.Parse(json ?? "");
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return "must be a JSON object of feature flags, {\"flag_name\": true, ...}.";
            }
            return document.RootElement.EnumerateObject().All(p => p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                ? null
                : "must map each flag to true or false.";
        }
        catch (JsonException)
        {
            return "is not valid JSON: paste the features object as x.com's web client sends it.";
        }
    }
}

public sealed class OptionalAbsoluteHttpUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is null or "" ? ValidationResult.Success : new AbsoluteHttpUrlAttribute().GetValidationResult(value, validationContext);
}

public sealed class JsonFeatureFlagsAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        XWebOperations.FeaturesProblem(value as string) is { } problem
            ? new ValidationResult($"{validationContext.DisplayName} {problem}")
            : ValidationResult.Success;
}
