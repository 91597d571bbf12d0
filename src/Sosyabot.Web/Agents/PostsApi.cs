using System.ComponentModel;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Publishing;

namespace Sosyabot.Web.Agents;

// /api/v1/posts: an agent's view of the workspace's posts and the same lifecycle the Publishing page offers.
public static class PostsApi
{
    public static void MapPostsApi(this RouteGroupBuilder api)
    {
        var read = ApiTokenDefaults.PolicyFor(ApiScopes.Read);
        var write = ApiTokenDefaults.PolicyFor(ApiScopes.Write);

        api.MapGet("/posts", ListAsync).RequireAuthorization(read).WithName("listPosts")
            .WithSummary("The workspace's posts, newest due first, a page at a time: pass next_cursor back as cursor (read).");
        api.MapGet("/posts/{postId:guid}", GetAsync).RequireAuthorization(read).WithName("getPost")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("A post and where it is on each channel: queued, publishing, published (with X's tweet ids), " +
                "waiting_for_rate_limit, held, failed, cancelled or deleted (read).");
        api.MapPatch("/posts/{postId:guid}", UpdateAsync).RequireAuthorization(write).WithName("updatePost")
            .ProducesNotFoundOrConflict()
            .WithSummary("Change a post that has not gone out yet (or a draft): text or thread, scheduled_at, channel_ids (write). " +
                "409 while it is being published.");
        api.MapPost("/posts/{postId:guid}/publish", PublishDraftAsync).RequireAuthorization(write).WithName("publishDraft")
            .ProducesNotFoundOrConflict()
            .ProducesValidationProblem()
            .WithSummary("Queue a draft for its channels, now or at scheduled_at (write).");
        api.MapDelete("/posts/{postId:guid}", CancelAsync).RequireAuthorization(write).WithName("cancelPost")
            .ProducesNotFoundOrConflict()
            .WithSummary("Cancel what has not gone out, on every channel or on channel_id; deletes a draft (write). " +
                "A thread being sent stops after the part in flight.");
        api.MapPost("/posts/{postId:guid}/retry", RetryAsync).RequireAuthorization(write).WithName("retryPost")
            .ProducesNotFoundOrConflict()
            .WithSummary("Send failed deliveries again, on every channel or on channel_id (write).");
        api.MapPost("/posts/{postId:guid}/duplicate", DuplicateAsync).RequireAuthorization(write).WithName("duplicatePost")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Copy a post into a new draft (write).");
        api.MapDelete("/posts/{postId:guid}/tweets", DeleteFromXAsync).RequireAuthorization(write).WithName("deletePostFromX")
            .CallsX()
            .WithSummary("Delete the published post (every part of a thread) from X, on every channel or on channel_id (write).");
    }

    private static async Task<Results<Ok<PostListResponse>, ValidationProblem>> ListAsync(
        [FromQuery(Name = "state")] string? state, [FromQuery(Name = "channel_id")] Guid? channelId, [FromQuery(Name = "drafts")] bool? drafts,
        [FromQuery(Name = "cursor")] string? cursor, [FromQuery(Name = "limit")] int? limit,
        HttpContext http, PostHistory history, CancellationToken cancellationToken)
    {
        if (state is not null && !DeliveryStates.All.Contains(state))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["state"] = [$"state is one of {string.Join(", ", DeliveryStates.All)}."],
            });
        }
        if (limit is < 1 or > PostHistory.MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"limit is between 1 and {PostHistory.MaxPageSize}."] });
        }
        HistoryPage page;
        try
        {
            page = await history.PageAsync(AgentCaller.From(http.User).WorkspaceId, new HistoryFilter(drafts == true, state, channelId), cursor,
                limit ?? PostHistory.DefaultPageSize, cancellationToken);
        }
        catch (InvalidCursorException ex)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["cursor"] = [ex.Message] });
        }
        return TypedResults.Ok(new PostListResponse(page.Posts.Select(PostResponse.From).ToList(), page.NextCursor));
    }

    private static async Task<Ok<PostResponse>> GetAsync(Guid postId, HttpContext http, PostLifecycle lifecycle, CancellationToken cancellationToken) =>
        TypedResults.Ok(PostResponse.From(await lifecycle.GetAsync(AgentCaller.From(http.User).WorkspaceId, postId, cancellationToken)));

    private static async Task<Results<Ok<PostResponse>, ValidationProblem>> UpdateAsync(
        Guid postId, UpdatePostRequest request, HttpContext http, PostLifecycle lifecycle, ChannelAccessWarnings warnings, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var caller = AgentCaller.From(http.User);
        var current = await lifecycle.GetAsync(caller.WorkspaceId, postId, cancellationToken);
        if (request.Text is not null && request.Thread is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["text"] = ["Give either text (one post) or thread (its parts), not both."],
            });
        }
        if (request is { Text: null, Thread: null, ChannelIds: null, ScheduledAt: { } at })
        {
            // Only the time changes: a reschedule, with the rules the post page's Reschedule follows (a post whose last
            // answer was lost may move; its text is not checked again).
            await lifecycle.RescheduleAsync(caller.WorkspaceId, postId, at, current.TimeZone, cancellationToken);
            return await UpdatedAsync(caller, postId, lifecycle, warnings, cancellationToken);
        }
        var channelIds = request.ChannelIds
            ?? (current.IsDraft
                ? current.DraftChannelIds
                : current.Deliveries.Where(d => d.State != DeliveryStates.Cancelled).Select(d => d.ChannelId).ToList());
        var draft = new PostDraft(
            request.Thread?.Cast<string?>().ToList() ?? (request.Text is { } text ? [text] : current.Parts.Cast<string?>().ToList()),
            channelIds,
            // Left out, the time stays; one already past (a draft, a held or failed post) means as soon as possible.
            request.ScheduledAt ?? (current.DueAt > time.GetUtcNow() ? current.DueAt : null),
            current.TimeZone,
            InReplyToTweetId: current.InReplyToTweetId,
            QuoteTweetId: current.QuoteTweetId);
        // The version read above: a change someone made since is refused, not overwritten with what was read.
        await lifecycle.UpdateAsync(caller.WorkspaceId, postId, draft, kept: null, current.Version, publish: !current.IsDraft, cancellationToken);
        return await UpdatedAsync(caller, postId, lifecycle, warnings, cancellationToken);
    }

    private static async Task<Ok<PostResponse>> UpdatedAsync(
        AgentCaller caller, Guid postId, PostLifecycle lifecycle, ChannelAccessWarnings warnings, CancellationToken cancellationToken)
    {
        var updated = await lifecycle.GetAsync(caller.WorkspaceId, postId, cancellationToken);
        return TypedResults.Ok(PostResponse.From(updated) with
        {
            Warnings = AgentApi.NullIfEmpty(await warnings.ForAsync(updated.Deliveries.Select(d => d.Channel), updated.DueAt, cancellationToken)),
        });
    }

    private static async Task<Accepted<PostResponse>> PublishDraftAsync(
        Guid postId, PublishDraftRequest? request, HttpContext http, PostLifecycle lifecycle, ChannelAccessWarnings warnings,
        CancellationToken cancellationToken)
    {
        var workspaceId = AgentCaller.From(http.User).WorkspaceId;
        var draft = await lifecycle.GetAsync(workspaceId, postId, cancellationToken);
        if (!draft.IsDraft)
        {
            throw new PostConflictException("This post is not a draft: it is already queued or sent. PATCH it to change it.");
        }
        await lifecycle.UpdateAsync(workspaceId, postId,
            new PostDraft(draft.Parts.Cast<string?>().ToList(), draft.DraftChannelIds, request?.ScheduledAt, draft.TimeZone,
                InReplyToTweetId: draft.InReplyToTweetId, QuoteTweetId: draft.QuoteTweetId),
            kept: null, draft.Version, publish: true, cancellationToken);
        var queued = await lifecycle.GetAsync(workspaceId, postId, cancellationToken);
        return TypedResults.Accepted($"/api/v1/posts/{postId}", PostResponse.From(queued) with
        {
            Warnings = AgentApi.NullIfEmpty(await warnings.ForAsync(queued.Deliveries.Select(d => d.Channel), queued.DueAt, cancellationToken)),
        });
    }

    private static async Task<Results<Ok<PostResponse>, NoContent>> CancelAsync(
        Guid postId, [FromQuery(Name = "channel_id")] Guid? channelId, HttpContext http, PostLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var workspaceId = AgentCaller.From(http.User).WorkspaceId;
        var post = await lifecycle.GetAsync(workspaceId, postId, cancellationToken);
        if (post.IsDraft)
        {
            if (channelId is not null)
            {
                throw new PostConflictException("A draft goes to no channel yet: delete the whole draft (no channel_id), or PATCH its channel_ids.");
            }
            await lifecycle.DeleteDraftAsync(workspaceId, postId, cancellationToken);
            return TypedResults.NoContent();
        }
        await lifecycle.CancelAsync(workspaceId, postId, channelId, cancellationToken);
        return TypedResults.Ok(PostResponse.From(await lifecycle.GetAsync(workspaceId, postId, cancellationToken)));
    }

    private static async Task<Ok<PostResponse>> RetryAsync(
        Guid postId, [FromQuery(Name = "channel_id")] Guid? channelId, HttpContext http, PostLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var workspaceId = AgentCaller.From(http.User).WorkspaceId;
        await lifecycle.RetryAsync(workspaceId, postId, channelId, cancellationToken);
        return TypedResults.Ok(PostResponse.From(await lifecycle.GetAsync(workspaceId, postId, cancellationToken)));
    }

    private static async Task<Created<PostResponse>> DuplicateAsync(Guid postId, HttpContext http, PostLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var caller = AgentCaller.From(http.User);
        var duplicate = await lifecycle.DuplicateAsync(caller.WorkspaceId, caller.CreatedByUserId, postId, cancellationToken);
        var copy = PostResponse.From(await lifecycle.GetAsync(caller.WorkspaceId, duplicate.Copy.Id, cancellationToken));
        return TypedResults.Created($"/api/v1/posts/{duplicate.Copy.Id}", duplicate.ImagesLeftBehind == 0 ? copy : copy with
        {
            Warnings = [$"{duplicate.ImagesLeftBehind} image(s) were not kept after publishing and are not in the copy; attach them again."],
        });
    }

    private static async Task<Ok<PostResponse>> DeleteFromXAsync(
        Guid postId, [FromQuery(Name = "channel_id")] Guid? channelId, HttpContext http, PostLifecycle lifecycle, CancellationToken cancellationToken)
    {
        var workspaceId = AgentCaller.From(http.User).WorkspaceId;
        await lifecycle.DeleteFromXAsync(workspaceId, postId, channelId, cancellationToken);
        return TypedResults.Ok(PostResponse.From(await lifecycle.GetAsync(workspaceId, postId, cancellationToken)));
    }
}

public sealed record UpdatePostRequest(
    [property: JsonPropertyName("text"), Description("The new text of a one-part post; or use thread.")] string? Text,
    [property: JsonPropertyName("thread"), Description("The new parts of a thread, in order.")] IReadOnlyList<string>? Thread,
    [property: JsonPropertyName("scheduled_at"), Description("The new time (ISO 8601 with offset).")] DateTimeOffset? ScheduledAt,
    [property: JsonPropertyName("channel_ids"), Description("The channels it goes to; unchanged when absent.")] IReadOnlyList<Guid>? ChannelIds);

public sealed record PublishDraftRequest(
    [property: JsonPropertyName("scheduled_at"), Description("When to publish (ISO 8601 with offset); now when absent.")] DateTimeOffset? ScheduledAt);

public sealed record PostListResponse(
    [property: JsonPropertyName("posts")] IReadOnlyList<PostResponse> Posts,
    [property: JsonPropertyName("next_cursor"), Description("Pass back as cursor for the next (older) page; null on the last page.")] string? NextCursor);

public sealed record DeliveryResponse(
    [property: JsonPropertyName("channel_id")] Guid ChannelId,
    [property: JsonPropertyName("handle")] string Handle,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("tweet_ids"), Description("X's ids of the published parts, in order.")] IReadOnlyList<string> TweetIds,
    [property: JsonPropertyName("reason"), Description("Why it waits, is held or failed, and what to do.")] string? Reason,
    [property: JsonPropertyName("due_at")] DateTimeOffset DueAt,
    [property: JsonPropertyName("published_at")] DateTimeOffset? PublishedAt);

// A post with each channel's delivery; the top-level state fields describe the first channel, as the API answered before posts had several.
public sealed record PostResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("is_draft")] bool IsDraft,
    [property: JsonPropertyName("thread"), Description("The post's parts, in order (one for a single post).")] IReadOnlyList<string> Thread,
    [property: JsonPropertyName("due_at")] DateTimeOffset DueAt,
    [property: JsonPropertyName("channel_id")] Guid? ChannelId,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("tweet_ids")] IReadOnlyList<string> TweetIds,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("published_at")] DateTimeOffset? PublishedAt,
    [property: JsonPropertyName("deliveries")] IReadOnlyList<DeliveryResponse> Deliveries)
{
    [JsonPropertyName("warnings"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [Description("Things to know, such as a channel whose access ends before the post is due.")]
    public IReadOnlyList<string>? Warnings { get; init; }

    // A post read with its deliveries' channels.
    public static PostResponse From(Post post) => From(post, post.Deliveries.Select(d => d.Channel));

    // A post just written, whose deliveries name their channels by id only.
    public static PostResponse From(Post post, IEnumerable<Channel> channels)
    {
        var handles = channels.DistinctBy(c => c.Id).ToDictionary(c => c.Id, c => c.Handle);
        return Build(post.Id, post.IsDraft, post.Parts, post.DueAt,
            post.Deliveries
                .Select(d => new DeliveryResponse(d.ChannelId, handles[d.ChannelId], d.State, d.TweetIds, d.Reason, d.DueAt, d.PublishedAt))
                .ToList());
    }

    public static PostResponse From(HistoryPost post) => Build(post.Id, post.IsDraft, post.Parts, post.DueAt,
        post.Deliveries.Select(d => new DeliveryResponse(d.ChannelId, d.Handle, d.State, d.TweetIds, d.Reason, d.DueAt, d.PublishedAt)).ToList());

    private static PostResponse Build(Guid id, bool isDraft, IReadOnlyList<string> parts, DateTimeOffset dueAt, List<DeliveryResponse> deliveries)
    {
        var first = deliveries.FirstOrDefault();
        return new PostResponse(id, isDraft, parts, dueAt, first?.ChannelId, first?.State ?? "draft", first?.TweetIds ?? [], first?.Reason,
            first?.PublishedAt, deliveries);
    }
}
