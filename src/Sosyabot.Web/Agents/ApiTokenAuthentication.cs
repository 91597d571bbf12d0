using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Agents;

// Who is calling the agent API: a token of one workspace, with its scopes.
public sealed record AgentCaller(Guid TokenId, Guid WorkspaceId, string CreatedByUserId)
{
    public const string WorkspaceClaim = "sosyabot:workspace";
    public const string CreatedByClaim = "sosyabot:created_by";
    public const string ScopeClaim = "scope";
    public const string RoleClaim = "sosyabot:creator_role";

    public static AgentCaller From(ClaimsPrincipal user) => new(
        Guid.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier)!),
        Guid.Parse(user.FindFirstValue(WorkspaceClaim)!),
        user.FindFirstValue(CreatedByClaim)!);
}

public static class ApiTokenDefaults
{
    public const string Scheme = "ApiToken";

    // The authorization policy for each scope has the scope's own name, prefixed.
    public static string PolicyFor(string scope) => "api:" + scope;
}

// Authenticates Authorization: Bearer sbt_.... Answers 401 and 403 as problem details, naming what is
// wrong (no token, an unknown or revoked one, a missing scope), since an agent's developer reads them.
public sealed partial class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    SosyabotDbContext db,
    ApiAuthThrottle throttle,
    ApiTokenCache cache,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    // Last-used times are written at most this often per token, not on every call.
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    private TimeSpan? _throttled;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var ip = FailureCounter.ClientIp(Context);
        if (throttle.WaitBeforeTrying(ip) is { } wait)
        {
            _throttled = wait;
            LogThrottled(Logger, ip);
            return AuthenticateResult.Fail("Too many requests from this address failed authentication.");
        }

        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiToken.Prefix, StringComparison.Ordinal))
        {
            return AuthenticateResult.Fail("The bearer token is not a Sosyabot API token (they start with sbt_).");
        }

        var hash = ApiToken.Hash(secret);
        var key = Convert.ToBase64String(hash);
        var token = cache.Find(key);
        if (token is null)
        {
            var stamp = cache.BeginRead();
            // One round trip: the token, and its creator as they are now, not as they were when the token was made. A
            // creator who is made a viewer loses the token's write and dm scopes; one who is no longer a member, or whom
            // an admin has disabled, loses the token.
            var read = await db.ApiTokens.AsNoTracking()
                .Where(t => t.SecretHash == hash && t.RevokedAt == null)
                .Select(t => new
                {
                    t.Id,
                    t.WorkspaceId,
                    t.CreatedByUserId,
                    t.Scopes,
                    t.LastUsedAt,
                    CreatorDisabled = t.CreatedBy.DisabledAt != null,
                    CreatorRole = db.WorkspaceMembers
                        .Where(m => m.WorkspaceId == t.WorkspaceId && m.UserId == t.CreatedByUserId)
                        .Select(m => (WorkspaceRole?)m.Role)
                        .FirstOrDefault(),
                })
                .SingleOrDefaultAsync(Context.RequestAborted);
            if (read is null)
            {
                return AuthenticateResult.Fail("The API token is unknown or has been revoked.");
            }
            if (read.CreatorRole is not { } role)
            {
                return AuthenticateResult.Fail("The member who created this API token is no longer in its workspace.");
            }
            if (read.CreatorDisabled)
            {
                return AuthenticateResult.Fail("The account that created this API token has been disabled by the instance's admin.");
            }
            token = new ResolvedApiToken(read.Id, read.WorkspaceId, read.CreatedByUserId, read.Scopes, role, read.LastUsedAt);
            cache.Keep(key, token, stamp);
        }

        var now = time.GetUtcNow();
        if (token.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            await db.ApiTokens.Where(t => t.Id == token.Id)
                .ExecuteUpdateAsync(update => update.SetProperty(t => t.LastUsedAt, now), Context.RequestAborted);
            cache.Used(key, now);
        }

        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, token.Id.ToString()),
                new Claim(AgentCaller.WorkspaceClaim, token.WorkspaceId.ToString()),
                new Claim(AgentCaller.CreatedByClaim, token.CreatedByUserId),
                new Claim(AgentCaller.RoleClaim, WorkspacePermissions.Describe(token.CreatorRole)),
                .. token.Scopes.Where(scope => ApiScopes.AllowedFor(token.CreatorRole, scope)).Select(scope => new Claim(AgentCaller.ScopeClaim, scope)),
            ],
            ApiTokenDefaults.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiTokenDefaults.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        if (_throttled is { } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many failed authentications",
                $"Too many requests from this address failed authentication. Try again in {seconds} s with a valid API token.");
            return;
        }
        throttle.RecordFailure(FailureCounter.ClientIp(Context));
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "API token required",
            failure ?? "Send a workspace API token as 'Authorization: Bearer sbt_...'. Create one under Settings → API tokens.");
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var needed = Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(data => data.Policy)
            .Where(policy => policy?.StartsWith("api:", StringComparison.Ordinal) == true)
            .Select(policy => policy!["api:".Length..])
            .FirstOrDefault();
        var role = Context.User.FindFirstValue(AgentCaller.RoleClaim);
        if (needed is not null && role is not null && Enum.TryParse<WorkspaceRole>(role, ignoreCase: true, out var creatorRole)
            && !ApiScopes.AllowedFor(creatorRole, needed))
        {
            await WriteProblemAsync(StatusCodes.Status403Forbidden, "Not allowed for the token's creator",
                $"This API token was created by a member who is now {role} of the workspace; a {role} may not use the '{needed}' scope.");
            return;
        }
        await WriteProblemAsync(StatusCodes.Status403Forbidden, "Missing scope",
            needed is null
                ? "This API token may not do this."
                : $"This API token lacks the '{needed}' scope. Create a token with it under Settings → API tokens.");
    }

    [LoggerMessage(LogLevel.Warning, "API request from {ClientIp} refused: too many failed authentications")]
    private static partial void LogThrottled(ILogger logger, string clientIp);

    private Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
