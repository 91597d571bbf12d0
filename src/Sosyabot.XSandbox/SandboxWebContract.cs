namespace Sosyabot.XSandbox;

// Everything about x.com's web client that changes with its bundles lives here, and only here:
// the public bearer, the GraphQL query ids, the feature flags each operation must send, the
// rate windows. The sources for each value are in docs/x-web-path.md.
public static class SandboxWebContract
{
    // The web client's public bearer, as x.com's own JavaScript sends it (the "=" URL-encoded as %3D).
    public const string WebBearerToken =
        "AAAAAAAAAAAAAAAAAAAAANRILgAAAAAAnNwIzUejRCOuH5E6I8xnZz4puTs%3D1Zv7ttfk8LF81IUq16cHjhLTvJu4FA33AGWWjCpTnA";

    public const string CreateTweet = "CreateTweet";
    public const string HomeLatestTimeline = "HomeLatestTimeline";
    public const string UserTweets = "UserTweets";
    public const string SearchTimeline = "SearchTimeline";
    public const string FavoriteTweet = "FavoriteTweet";
    public const string CreateRetweet = "CreateRetweet";
    public const string CreateBookmark = "CreateBookmark";

    // Non-GraphQL calls of the web path, named for their rate windows.
    public const string MediaUpload = "media/upload";
    public const string MediaMetadata = "media/metadata/create";
    public const string DirectMessage = "dm/new2";

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

    // The flags the web client sends with CreateTweet and the timelines. x.com refuses a request that
    // leaves one of the flags it expects out (code 336); extra flags are ignored.
    public static readonly IReadOnlyDictionary<string, bool> TweetFeatures = new Dictionary<string, bool>
    {
        ["premium_content_api_read_enabled"] = false,
        ["communities_web_enable_tweet_community_results_fetch"] = true,
        ["c9s_tweet_anatomy_moderator_badge_enabled"] = true,
        ["responsive_web_grok_analyze_button_fetch_trends_enabled"] = false,
        ["responsive_web_grok_analyze_post_followups_enabled"] = true,
        ["responsive_web_jetfuel_frame"] = false,
        ["responsive_web_grok_share_attachment_enabled"] = true,
        ["responsive_web_edit_tweet_api_enabled"] = true,
        ["graphql_is_translatable_rweb_tweet_is_translatable_enabled"] = true,
        ["view_counts_everywhere_api_enabled"] = true,
        ["longform_notetweets_consumption_enabled"] = true,
        ["responsive_web_twitter_article_tweet_consumption_enabled"] = true,
        ["tweet_awards_web_tipping_enabled"] = false,
        ["responsive_web_grok_show_grok_translated_post"] = false,
        ["responsive_web_grok_analysis_button_from_backend"] = false,
        ["creator_subscriptions_quote_tweet_preview_enabled"] = false,
        ["longform_notetweets_rich_text_read_enabled"] = true,
        ["longform_notetweets_inline_media_enabled"] = true,
        ["profile_label_improvements_pcf_label_in_post_enabled"] = true,
        ["rweb_tipjar_consumption_enabled"] = true,
        ["verified_phone_label_enabled"] = false,
        ["articles_preview_enabled"] = true,
        ["responsive_web_graphql_skip_user_profile_image_extensions_enabled"] = false,
        ["freedom_of_speech_not_reach_fetch_enabled"] = true,
        ["standardized_nudges_misinfo"] = true,
        ["tweet_with_visibility_results_prefer_gql_limited_actions_policy_enabled"] = true,
        ["responsive_web_grok_image_annotation_enabled"] = true,
        ["responsive_web_graphql_timeline_navigation_enabled"] = true,
        ["responsive_web_enhance_cards_enabled"] = false,
    };

    // The timelines send the tweet flags plus these two.
    public static readonly IReadOnlyDictionary<string, bool> TimelineFeatures = new Dictionary<string, bool>(TweetFeatures)
    {
        ["rweb_video_screen_enabled"] = false,
        ["creator_subscriptions_tweet_preview_api_enabled"] = true,
    };

    // Which flags each operation must carry; the engagement mutations carry none.
    public static IReadOnlyDictionary<string, bool>? FeaturesFor(string operation) => operation switch
    {
        CreateTweet => TweetFeatures,
        HomeLatestTimeline or UserTweets or SearchTimeline => TimelineFeatures,
        _ => null,
    };

    public static readonly IReadOnlyDictionary<string, string> Methods = new Dictionary<string, string>
    {
        [CreateTweet] = "POST",
        [HomeLatestTimeline] = "POST",
        [UserTweets] = "GET",
        [SearchTimeline] = "GET",
        [FavoriteTweet] = "POST",
        [CreateRetweet] = "POST",
        [CreateBookmark] = "POST",
    };

    // Per account, per 15 minutes. The reads are the figures twikit's ratelimits.md tables for the web
    // client; x.com publishes none for the mutations, so those mirror the API's per-user limits.
    public static readonly IReadOnlyDictionary<string, int> Per15Minutes = new Dictionary<string, int>
    {
        [CreateTweet] = 100,
        [HomeLatestTimeline] = 500,
        [UserTweets] = 50,
        [SearchTimeline] = 50,
        [FavoriteTweet] = 50,
        [CreateRetweet] = 50,
        [CreateBookmark] = 50,
        [MediaUpload] = 500,
        [MediaMetadata] = 500,
        [DirectMessage] = 187,
    };

    // X's daily cap on posts per account; past it CreateTweet answers code 344.
    public const int TweetsPerDay = 2_400;
}
