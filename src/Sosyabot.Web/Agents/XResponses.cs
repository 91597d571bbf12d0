using System.ComponentModel;
using System.Text.Json.Serialization;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Agents;

// What /api/v1 answers about X's posts and messages. The API owns these shapes: the X client's records
// follow X's wire format and may change with it; these change only with the API. Field names keep X's
// own, since agents pass the ids and tokens back to X or to this API as they are.

public sealed record TweetPageResponse(
    [property: JsonPropertyName("tweets")] IReadOnlyList<TweetResponse> Tweets,
    [property: JsonPropertyName("next_token")]
    [property: Description("X's token for the next page: pass it back as pagination_token (next_token for search).")]
    string? NextToken)
{
    public static TweetPageResponse From(XTweetPage page) => new(page.Tweets.Select(TweetResponse.From).ToList(), page.NextToken);
}

[Description("A post as X gives it back: links in text are t.co links (the originals are in entities), &, < and > come HTML-escaped, " +
    "and a long post's full text is in note_tweet.")]
public sealed record TweetResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt,
    [property: JsonPropertyName("author_id")] string? AuthorId,
    [property: JsonPropertyName("conversation_id")] string? ConversationId,
    // Defaults, so that the document does not call required what is left out when X sent none.
    [property: JsonPropertyName("entities"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] TweetEntitiesResponse? Entities = null,
    [property: JsonPropertyName("note_tweet"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] NoteTweetResponse? NoteTweet = null)
{
    public static TweetResponse From(XTweet tweet) => new(
        tweet.Id, tweet.Text, tweet.CreatedAt, tweet.AuthorId, tweet.ConversationId,
        TweetEntitiesResponse.From(tweet.Entities), tweet.NoteTweet is { } note ? NoteTweetResponse.From(note) : null);
}

public sealed record TweetEntitiesResponse([property: JsonPropertyName("urls")] IReadOnlyList<UrlEntityResponse>? Urls)
{
    public static TweetEntitiesResponse? From(XTweetEntities? entities) =>
        entities is null ? null : new(entities.Urls?.Select(UrlEntityResponse.From).ToList());
}

[Description("A link X rewrote: url is the t.co link in the text, expanded_url the one that was posted.")]
public sealed record UrlEntityResponse(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("expanded_url")] string? ExpandedUrl,
    [property: JsonPropertyName("display_url")] string? DisplayUrl)
{
    public static UrlEntityResponse From(XUrlEntity url) => new(url.Start, url.End, url.Url, url.ExpandedUrl, url.DisplayUrl);
}

public sealed record NoteTweetResponse(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("entities")] TweetEntitiesResponse? Entities)
{
    public static NoteTweetResponse From(XNoteTweet note) => new(note.Text, TweetEntitiesResponse.From(note.Entities));
}

public sealed record MessagePageResponse(
    [property: JsonPropertyName("messages")] IReadOnlyList<MessageResponse> Messages,
    [property: JsonPropertyName("next_token"), Description("X's token for the next page: pass it back as pagination_token.")] string? NextToken)
{
    public static MessagePageResponse From(XMessagePage page) => new(page.Messages.Select(MessageResponse.From).ToList(), page.NextToken);
}

public sealed record MessageResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("event_type"), Description("X's event type: MessageCreate, ParticipantsJoin or ParticipantsLeave.")] string EventType,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("sender_id")] string? SenderId,
    [property: JsonPropertyName("dm_conversation_id")] string? ConversationId,
    [property: JsonPropertyName("created_at")] DateTimeOffset? CreatedAt)
{
    public static MessageResponse From(XMessage message) => new(
        message.Id, message.EventType, message.Text, message.SenderId, message.ConversationId, message.CreatedAt);
}

public sealed record SentMessageResponse(
    [property: JsonPropertyName("dm_conversation_id")] string ConversationId,
    [property: JsonPropertyName("dm_event_id")] string EventId)
{
    public static SentMessageResponse From(XSentMessage sent) => new(sent.ConversationId, sent.EventId);
}

public sealed record RelationResponse(
    [property: JsonPropertyName("tweet_id")] string TweetId,
    [property: JsonPropertyName("relation"), Description("likes, retweets or bookmarks")] string Relation,
    [property: JsonPropertyName("active"), Description("Whether the like, retweet or bookmark now exists.")] bool Active);
