using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Agents;

// The workspace's channel an agent named was not found (or belongs to another workspace: the same answer).
public sealed class ChannelNotFoundException(Guid channelId) : Exception($"There is no channel {channelId} in this token's workspace.");


// What an agent can do on X through one of its workspace's channels. Every call is scoped to the
// caller's workspace; writes pay into the same shared rate budgets as the publisher before X is called.
public sealed class AgentActions(
    SosyabotDbContext db,
    XClient x,
    ChannelTokens tokens,
    RateBudgets budgets,
    PublishingQueue queue,
    XWebClient web,
    XWebSettings webSettings)
{
    public async Task<IReadOnlyList<Channel>> ListChannelsAsync(AgentCaller caller, CancellationToken cancellationToken) =>
        await db.Channels.AsNoTracking()
            .Where(c => c.WorkspaceId == caller.WorkspaceId && c.State != ChannelStates.Disconnected && c.State != ChannelStates.Removed)
            .OrderBy(c => c.Handle)
            .ToListAsync(cancellationToken);

    public Task<XTweetPage> TimelineAsync(AgentCaller caller, Guid channelId, string? userId, XPageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(caller, channelId, XCallContext.AppOnlyAllowed, "tweet.read",
            (auth, channel) => x.GetUserTweetsAsync(auth, userId ?? channel.XUserId, page, cancellationToken),
            (session, channel) => web.GetUserTweetsAsync(session, userId ?? channel.XUserId, page.MaxResults ?? 20, page.PageToken, cancellationToken),
            cancellationToken);

    // The account's home timeline: X serves it to user context only, so a read-only API-keys channel is refused.
    public Task<XTweetPage> HomeTimelineAsync(AgentCaller caller, Guid channelId, XPageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(caller, channelId, XCallContext.UserRequired, "tweet.read",
            (auth, channel) => x.GetHomeTimelineAsync(auth, channel.XUserId, page, cancellationToken),
            (session, _) => web.GetHomeLatestTimelineAsync(session, page.MaxResults ?? 20, page.PageToken, cancellationToken), cancellationToken);

    public Task<XTweetPage> MentionsAsync(AgentCaller caller, Guid channelId, string? userId, XPageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(caller, channelId, XCallContext.AppOnlyAllowed, "tweet.read",
            (auth, channel) => x.GetMentionsAsync(auth, userId ?? channel.XUserId, page, cancellationToken),
            // x.com's web client reads mentions from an endpoint the cookie path does not carry; a search for the
            // @handle finds the same posts. It needs the handle, so only the channel's own mentions.
            (session, channel) => userId is not null && userId != channel.XUserId
                ? throw new ChannelRefusedException(
                    $"Mentions of another user (user_id) are {ChannelAbility.NotForCookieChannels}: leave user_id out to read @{channel.Handle}'s own.")
                : web.SearchAsync(session, "@" + channel.Handle, page.MaxResults ?? 20, page.PageToken, cancellationToken),
            cancellationToken);

    public Task<XTweetPage> SearchAsync(AgentCaller caller, Guid channelId, string query, XPageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(caller, channelId, XCallContext.AppOnlyAllowed, "tweet.read",
            (auth, _) => x.SearchRecentAsync(auth, query, page, cancellationToken),
            (session, _) => web.SearchAsync(session, query, page.MaxResults ?? 20, page.PageToken, cancellationToken), cancellationToken);

    public async Task<XTweetPage> BookmarksAsync(AgentCaller caller, Guid channelId, XPageRequest page, CancellationToken cancellationToken)
    {
        var channel = await FindBookmarkableAsync(caller, channelId, cancellationToken);
        await RefuseCookieAsync(channel, "bookmark.read", cancellationToken);
        var auth = await tokens.AuthorizeAsync(channel, XCallContext.UserRequired, "bookmark.read", cancellationToken);
        return await OnBehalfOfAsync(channel, write: false, () => x.GetBookmarksAsync(auth.Auth, channel.XUserId, page, cancellationToken), cancellationToken);
    }

    public Task<XMessagePage> DirectMessagesAsync(AgentCaller caller, Guid channelId, XPageRequest page, CancellationToken cancellationToken) =>
        ReadAsync(caller, channelId, XCallContext.UserRequired, "dm.read",
            (auth, _) => x.GetDirectMessagesAsync(auth, page, cancellationToken),
            (_, _) => throw new InvalidOperationException("ChannelAbility refuses dm.read for cookie channels before this is reached."), cancellationToken);

    public async Task<XSentMessage> SendDirectMessageAsync(
        AgentCaller caller, Guid channelId, string participantId, string text, CancellationToken cancellationToken)
    {
        var channel = await FindAsync(caller, channelId, cancellationToken);
        var windows = RateBudgets.ForDirectMessages(channel.XUserId);
        if (channel.Kind == ChannelKind.Cookie)
        {
            var session = await tokens.AuthorizeWebAsync(channel, "dm.write", cancellationToken);
            return await SpendAsync(windows, () => OnBehalfOfWebAsync(channel, session,
                () => web.SendDirectMessageAsync(session, channel.XUserId, participantId, text, cancellationToken), cancellationToken),
                sent => sent.RateLimits, cancellationToken);
        }
        var auth = await tokens.AuthorizeAsync(channel, XCallContext.UserRequired, "dm.write", cancellationToken);
        return await SpendAsync(windows, () => OnBehalfOfAsync(channel, write: true,
            () => x.SendDirectMessageAsync(auth.Auth, participantId, text, cancellationToken), cancellationToken), sent => sent.RateLimits, cancellationToken);
    }

    // Switches a like, retweet or bookmark on or off.
    public async Task SetRelationAsync(
        AgentCaller caller, Guid channelId, XTweetRelation relation, string tweetId, bool on, CancellationToken cancellationToken)
    {
        var channel = relation == XTweetRelation.Bookmarks
            ? await FindBookmarkableAsync(caller, channelId, cancellationToken)
            : await FindAsync(caller, channelId, cancellationToken);
        var scope = relation switch
        {
            XTweetRelation.Likes => "like.write",
            XTweetRelation.Retweets => "tweet.write",
            _ => "bookmark.write",
        };
        var windows = RateBudgets.ForRelation(channel.XUserId, relation, on);
        if (channel.Kind == ChannelKind.Cookie)
        {
            if (!on)
            {
                throw new ChannelRefusedException($"Undoing a {relation.ToString().ToLowerInvariant()[..^1]} is {ChannelAbility.NotForCookieChannels}: " +
                    $"undo it on x.com as @{channel.Handle}, or connect the account through X's consent page (OAuth 2.0).");
            }
            var session = await tokens.AuthorizeWebAsync(channel, scope, cancellationToken);
            await SpendAsync(windows, () => OnBehalfOfWebAsync(channel, session,
                () => web.SetTweetRelationAsync(session, relation, tweetId, cancellationToken), cancellationToken), limits => limits, cancellationToken);
            return;
        }
        var auth = await tokens.AuthorizeAsync(channel, XCallContext.UserRequired, scope, cancellationToken);
        await SpendAsync(windows, () => OnBehalfOfAsync(channel, write: true,
            () => x.SetTweetRelationAsync(auth.Auth, channel.XUserId, relation, tweetId, on, cancellationToken), cancellationToken),
            limits => limits, cancellationToken);
    }

    // Queues a post for the publisher, which sends it within X's limits and never twice.
    public async Task<(Post Post, Channel Channel)> QueuePostAsync(AgentCaller caller, Guid channelId, PostDraft draft, CancellationToken cancellationToken)
    {
        var channel = await FindAsync(caller, channelId, cancellationToken);
        // Refused here, with the fix, rather than queued to fail: the agent is waiting for an answer.
        ChannelTokens.EnsureCanAct(channel, XCallContext.UserRequired, ChannelAbility.PostScope);
        if ((draft.Media ?? []).Any(m => ImageContent.IsVideo(m.ContentType)) && ChannelAbility.ToPublishVideo(channel) is { } noVideo)
        {
            throw new ChannelRefusedException(noVideo.Reason);
        }
        return (await queue.QueueAsync(
            caller.WorkspaceId, caller.CreatedByUserId, draft with { ChannelIds = [channel.Id] }, [channel], cancellationToken), channel);
    }

    // Keeps a draft for the channel; nothing goes to X until it is published.
    public async Task<Post> SaveDraftAsync(AgentCaller caller, Guid channelId, PostDraft draft, CancellationToken cancellationToken)
    {
        var channel = await FindAsync(caller, channelId, cancellationToken);
        return await queue.SaveDraftAsync(caller.WorkspaceId, caller.CreatedByUserId, draft with { ChannelIds = [channel.Id] }, cancellationToken);
    }

    private async Task<T> SpendAsync<T>(
        ActionWindows windows, Func<Task<T>> call, Func<T, XRateLimits> limitsOf, CancellationToken cancellationToken)
    {
        var reservation = await budgets.TryReserveAsync(windows.All, cancellationToken);
        if (!reservation.Granted)
        {
            throw new RateBudgetSpentException(reservation.Exhausted!, reservation.ResetAt!.Value);
        }
        try
        {
            var result = await call();
            if (limitsOf(result).Endpoint is { } observed)
            {
                await budgets.ObserveAsync(windows.Endpoint, observed, cancellationToken);
            }
            return result;
        }
        catch (XApiException ex) when (ex.Status == System.Net.HttpStatusCode.TooManyRequests)
        {
            if (ex.RateLimits.Endpoint is { } endpoint)
            {
                await budgets.ExhaustAsync(windows.Endpoint, endpoint.ResetAt, cancellationToken);
            }
            if (windows.Day is { } day && ex.RateLimits.UserDay is { Remaining: 0 } userDay)
            {
                await budgets.ExhaustAsync(day, userDay.ResetAt, cancellationToken);
            }
            throw;
        }
    }

    // A read through one of the caller's channels: found in its workspace, authorized, X's refusals explained.
    private async Task<T> ReadAsync<T>(
        AgentCaller caller, Guid channelId, XCallContext context, string oauth2Scope, Func<XAuth, Channel, Task<T>> read,
        Func<XWebSession, Channel, Task<T>> readOnWeb, CancellationToken cancellationToken)
    {
        var channel = await FindAsync(caller, channelId, cancellationToken);
        if (channel.Kind == ChannelKind.Cookie)
        {
            var session = await tokens.AuthorizeWebAsync(channel, oauth2Scope, cancellationToken);
            return await OnBehalfOfWebAsync(channel, session, () => readOnWeb(session, channel), cancellationToken);
        }
        var authorization = await tokens.AuthorizeAsync(channel, context, oauth2Scope, cancellationToken);
        return await OnBehalfOfAsync(channel, write: false, () => read(authorization.Auth, channel), cancellationToken);
    }

    // Makes X's refusals of a channel's credentials say what to do: any 401 marks the channel needs_reconnect
    // (X's answer on a call is as final as on a check), and a 403 on a write is a read-only app or token.
    private async Task<T> OnBehalfOfAsync<T>(Channel channel, bool write, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (XApiException ex) when (ex.Status == System.Net.HttpStatusCode.Unauthorized)
        {
            var reason = ChannelGuidance.Unauthorized(channel.Kind, ex);
            await tokens.MarkNeedsReconnectAsync(channel.Id, reason, cancellationToken);
            throw new XRefusedException(ex, reason);
        }
        catch (XApiException ex) when (ex.Status == System.Net.HttpStatusCode.Forbidden && write)
        {
            throw new XRefusedException(ex, ChannelGuidance.ForbiddenWrite(ex));
        }
    }

    // A cookie channel's call on x.com's web path: a rotated ct0 is stored whatever the answer; a session x.com
    // no longer accepts marks the channel needs_reconnect; an outdated query id is noted for the admin page.
    private async Task<T> OnBehalfOfWebAsync<T>(Channel channel, XWebSession session, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (XWebException ex) when (ex.SessionEnded)
        {
            var reason = ChannelGuidance.WebSessionEnded(channel.Handle, ex);
            await tokens.MarkNeedsReconnectAsync(channel.Id, reason, cancellationToken);
            throw new XRefusedException(ex, reason);
        }
        catch (XWebException ex) when (ex.Fault is XWebFault.OutdatedQueryId or XWebFault.MissingFeatures)
        {
            var setting = ex.Fault == XWebFault.OutdatedQueryId ? XWebOperations.QueryIdVariable(ex.Operation)
                : ex.Operation == XWebOperations.CreateTweet ? XWebOperations.TweetFeaturesVariable : XWebOperations.TimelineFeaturesVariable;
            await webSettings.RecordUnknownQueryAsync(ex.Operation, ex.Description ?? ex.Message, setting, cancellationToken);
            throw new XRefusedException(ex, $"x.com refused what Sosyabot sends for {ex.Operation} ({ex.Description}). " +
                                            $"An instance admin must update the setting {setting} " +
                                            "(Admin → X (Twitter) → Cookie channels); try again once it is saved.");
        }
        finally
        {
            await tokens.StoreRotatedCt0Async(channel, session, cancellationToken);
        }
    }

    private async Task RefuseCookieAsync(Channel channel, string oauth2Scope, CancellationToken cancellationToken)
    {
        if (channel.Kind == ChannelKind.Cookie)
        {
            // Throws the refusal ChannelAbility words for what the web path does not carry.
            await tokens.AuthorizeWebAsync(channel, oauth2Scope, cancellationToken);
        }
    }

    private async Task<Channel> FindAsync(AgentCaller caller, Guid channelId, CancellationToken cancellationToken) =>
        await db.Channels.AsNoTracking()
            .SingleOrDefaultAsync(c => c.Id == channelId && c.WorkspaceId == caller.WorkspaceId && c.State != ChannelStates.Removed, cancellationToken)
        ?? throw new ChannelNotFoundException(channelId);

    // X serves bookmarks to OAuth 2.0 user tokens only; an OAuth 1.0a signature gets a 403 there.
    private async Task<Channel> FindBookmarkableAsync(AgentCaller caller, Guid channelId, CancellationToken cancellationToken)
    {
        var channel = await FindAsync(caller, channelId, cancellationToken);
        return channel.Kind == ChannelKind.ApiKeys
            ? throw new ChannelRefusedException($"X serves bookmarks to OAuth 2.0 connections only, and @{channel.Handle} is connected with API keys. " +
                                                "Connect it through X's consent page to use bookmarks.")
            : channel;
    }
}


// X refused the call for a reason the channel's owner has to fix; Exception.Message says how.
public sealed class XRefusedException(XApiException refusal, string guidance) : Exception(guidance, refusal)
{
    public XApiException Refusal { get; } = refusal;
}
