using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

public static class XConnectDefaults
{
    public const string Scheme = "XConnect";
    public const string AttemptKey = ".sosyabot.attempt";
    public const string ClientIdKey = ".sosyabot.client_id";
    public const string ChannelsPage = "/Channels/Index";

    // Routing builds the path, so it follows the page's @page route and the request's PathBase.
    public static string ChannelsPath(HttpContext context) =>
        context.RequestServices.GetRequiredService<LinkGenerator>().GetPathByPage(context, ChannelsPage)!;

    // Posting plus what the agent actions need (likes, bookmarks, DMs, media upload).
    public static readonly string[] Scopes =
    [
        "tweet.read", "tweet.write", "users.read", "like.read", "like.write",
        "bookmark.read", "bookmark.write", "dm.read", "dm.write", "media.write",
    ];

    public const string OfflineAccessScope = "offline.access";

    // How long a Connect click may wait for X's callback before its state is refused.
    public static readonly TimeSpan AttemptLifetime = TimeSpan.FromMinutes(10);
}

// The shared framework's OAuth 2.0 handler (state protection, correlation cookie, PKCE S256) bent to
// link an X account to a workspace rather than sign anybody in. What differs from a sign-in handler:
// the client id and secret are resolved per request (the admin may change them at any time), the
// callback URL is built from BASE_URL, every X call goes through XClient, the state is
// made single-use by a database row, and the ticket is turned into a channel instead of a login.
public sealed class XConnectHandler(
    IOptionsMonitor<OAuthOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<SiteOptions> site,
    XIntegrationSettings settings,
    XClient x,
    SosyabotDbContext db,
    ChannelConnections connections,
    TimeProvider time)
    : OAuthHandler<OAuthOptions>(options, loggerFactory, encoder)
{
    private ConnectAttempt? _attempt;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var integration = await settings.GetAsync(Context.RequestAborted);
        if (integration.Credentials is not { } credentials)
        {
            Flash.Error(Context, integration.UnavailableReason!);
            Response.Redirect(XConnectDefaults.ChannelsPath(Context));
            return;
        }
        properties.Items[XConnectDefaults.ClientIdKey] = credentials.ClientId;
        properties.SetParameter(OAuthChallengeProperties.ScopeKey, integration.LongLivedConnections
            ? [.. XConnectDefaults.Scopes, XConnectDefaults.OfflineAccessScope]
            : XConnectDefaults.Scopes.ToList());

        // As the base handler does, except that the redirect_uri is BASE_URL's callback: X compares it byte
        // for byte with the one registered in its portal, whatever host a proxy passed on to us.
        GenerateCorrelationId(properties);
        var authorizationEndpoint = BuildChallengeUrl(properties, site.Value.TwitterCallbackUrl);
        await Events.RedirectToAuthorizationEndpoint(
            new RedirectContext<OAuthOptions>(Context, Scheme, Options, properties, authorizationEndpoint));
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        // The base handler builds the URL (PKCE and protected state included) from the static options;
        // only the client id has to be today's.
        var url = base.BuildChallengeUrl(properties, redirectUri);
        var query = QueryHelpers.ParseQuery(new Uri(url).Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
        query["client_id"] = properties.Items[XConnectDefaults.ClientIdKey];
        return QueryHelpers.AddQueryString(Options.AuthorizationEndpoint, query);
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        try
        {
            _attempt = await ConsumeAttemptAsync(context.Properties);
            var credentials = (await settings.GetAsync(Context.RequestAborted)).Credentials
                ?? throw new ChannelConnectException(
                    "The X integration was disabled or unconfigured while you were on X's consent page. Nothing was connected.");
            var verifier = context.Properties.Items[OAuthConstants.CodeVerifierKey]
                ?? throw new ChannelConnectException("The connection attempt lost its PKCE verifier. Start again.");
            var tokens = await x.ExchangeAuthorizationCodeAsync(
                credentials, context.Code, site.Value.TwitterCallbackUrl, verifier, Context.RequestAborted);
            return OAuthTokenResponse.Success(JsonSerializer.SerializeToDocument(tokens));
        }
        catch (XApiException ex)
        {
            return OAuthTokenResponse.Failed(new ChannelConnectException(XConnectErrors.ForTokenExchange(ex, site.Value.TwitterCallbackUrl)));
        }
        catch (ChannelConnectException ex)
        {
            return OAuthTokenResponse.Failed(ex);
        }
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(
        ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var tokenResponse = tokens.Response!.Deserialize<XTokenResponse>()!;
        XUserProfile profile;
        try
        {
            profile = await x.GetMeAsync(new XAuth.Bearer(tokenResponse.AccessToken), Context.RequestAborted);
        }
        catch (XApiException ex)
        {
            throw new ChannelConnectException(
                $"X granted access but would not say which account it is ({(int)ex.Status} {ex.Error}: {ex.Description}). Try again.");
        }

        var channel = await connections.SaveOAuthConnectionAsync(_attempt!, profile, tokenResponse, Context.RequestAborted);
        Flash.Success(Context, $"@{channel.Handle} is connected.");
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, profile.Id));
        return new AuthenticationTicket(new ClaimsPrincipal(identity), properties, Scheme.Name);
    }

    // Deletes the attempt row named by the state, checking it belongs to the signed-in user and is young
    // enough. A replayed or stale state finds no row and goes no further: X never sees its code.
    private async Task<ConnectAttempt> ConsumeAttemptAsync(AuthenticationProperties properties)
    {
        var attemptId = properties.Items.TryGetValue(XConnectDefaults.AttemptKey, out var value) && Guid.TryParse(value, out var id) ? id : Guid.Empty;
        var signedIn = await Context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var userId = signedIn.Principal?.FindFirstValue(ClaimTypes.NameIdentifier);
        var oldest = time.GetUtcNow() - XConnectDefaults.AttemptLifetime;

        var consumed = await db.ConnectAttempts
            .FromSql($"DELETE FROM connect_attempts WHERE id = {attemptId} AND user_id = {userId} AND created_at > {oldest} RETURNING id, created_at, reconnect_channel_id, user_id, workspace_id")
            .AsNoTracking()
            .ToListAsync(Context.RequestAborted);
        return consumed.SingleOrDefault() ?? throw new ChannelConnectException(XConnectErrors.StaleAttempt);
    }
}
