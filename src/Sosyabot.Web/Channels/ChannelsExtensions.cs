using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

public static partial class ChannelsExtensions
{
    private const string WebSessionApiTag = "Channels (signed-in browser session)";

    public static WebApplicationBuilder AddChannels(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<ChannelSecrets>();
        builder.Services.AddScoped<ILegacySecretColumns, LegacyChannelSecrets>();
        builder.Services.AddScoped<ChannelTokens>();
        builder.Services.AddScoped<ChannelConnections>();
        builder.Services.AddScoped<IMemberChannels, MemberChannels>();
        builder.Services.AddSingleton<ChannelAccessWatch>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ChannelAccessWatch>());

        builder.Services.AddAuthentication().AddOAuth<OAuthOptions, XConnectHandler>(XConnectDefaults.Scheme, options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.CallbackPath = SiteOptions.CallbackPath;
            options.UsePkce = true;
            // Resolved per request by XConnectHandler; the base options only insist that something is here.
            options.ClientId = "resolved-per-request";
            options.ClientSecret = "resolved-per-request";
            options.RemoteAuthenticationTimeout = XConnectDefaults.AttemptLifetime;
            options.CorrelationCookie.Name = "sosyabot.x-connect.";
            // X sends the browser back with a top-level GET, which Lax cookies survive; None would need HTTPS.
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            // Always-secure would lose the cookie on a plain-http instance (a LAN install, the sandbox demo).
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Events.OnTicketReceived = context => BackToChannels(context);
            options.Events.OnAccessDenied = context =>
            {
                Flash.Error(context.HttpContext, XConnectErrors.ConsentDenied);
                return BackToChannels(context);
            };
            options.Events.OnRemoteFailure = context =>
            {
                var message = XConnectErrors.ForRemoteFailure(context.Failure);
                LogConnectFailed(
                    context.HttpContext.RequestServices.GetRequiredService<ILogger<XConnectHandler>>(),
                    message, message == XConnectErrors.Unexpected ? context.Failure : null);
                Flash.Error(context.HttpContext, message);
                return BackToChannels(context);
            };
        });
        // This endpoint shares the agent API's document, where its tag has to say who may call it.
        builder.Services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            if (document.Tags?.FirstOrDefault(tag => tag.Name == WebSessionApiTag) is { } tag)
            {
                tag.Description = "Called from a signed-in browser session (the Sosyabot cookie), not with an API token.";
            }
            return Task.CompletedTask;
        }));
        builder.Services.AddOptions<OAuthOptions>(XConnectDefaults.Scheme).Configure<IOptions<XOptions>>((options, x) =>
        {
            options.AuthorizationEndpoint = x.Value.AuthorizeUrl;
            options.TokenEndpoint = x.Value.ApiBaseUrl.TrimEnd('/') + "/2/oauth2/token";
        });
        // Connect and Reconnect are form POSTs that redirect to X's consent page, which CSP form-action must allow.
        builder.Services.AddOptions<SecurityHeaderOptions>().Configure<IOptions<XOptions>>((headers, x) =>
            headers.FormActionOrigins.Add(new Uri(x.Value.AuthorizeUrl).GetLeftPart(UriPartial.Authority)));
        return builder;
    }

    public static WebApplication MapChannelsApi(this WebApplication app)
    {
        app.MapPost("/api/v1/auth/twitter/unofficial", ConnectWebSessionAsync)
            .WithName("connectWebSession")
            .WithTags(WebSessionApiTag)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .WithSummary("Connect an X account with the auth_token and ct0 cookies of a logged-in x.com session.");
        return app;
    }

    private static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> ConnectWebSessionAsync(
        WebSessionConnectRequest request, CurrentWorkspace current, ChannelConnections connections, HttpContext context, LinkGenerator links,
        CancellationToken cancellationToken)
    {
        var workspace = await current.GetAsync(cancellationToken);
        if (!workspace.Can(WorkspacePermission.ConnectChannels))
        {
            return TypedResults.Problem($"As {WorkspacePermissions.Describe(workspace.Role)} of {workspace.Workspace.Name} you cannot connect channels.",
                statusCode: StatusCodes.Status403Forbidden, title: "Not allowed for your role");
        }
        if (WebSessionCookieFormat.Problem(request.AuthToken, request.Ct0) is { } problem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["auth_token"] = [problem] });
        }
        try
        {
            var channel = await connections.ConnectWebSessionAsync(
                workspace.WorkspaceId, workspace.UserId, new WebSessionCookies(request.AuthToken!, request.Ct0!), cancellationToken);
            return TypedResults.Created(links.GetPathByPage(context, "/Channels/Details", values: new { id = channel.Id }), ChannelResponse.From(channel));
        }
        catch (ChannelConnectException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status422UnprocessableEntity, title: "X did not accept the session");
        }
    }

    private static Task BackToChannels(HandleRequestContext<RemoteAuthenticationOptions> context)
    {
        context.HandleResponse();
        context.Response.Redirect(XConnectDefaults.ChannelsPath(context.HttpContext));
        return Task.CompletedTask;
    }

    [LoggerMessage(LogLevel.Warning, "Connecting an X account failed: {Reason}")]
    private static partial void LogConnectFailed(ILogger logger, string reason, Exception? exception);
}

public sealed record WebSessionConnectRequest(
    [property: JsonPropertyName("auth_token")] string? AuthToken,
    [property: JsonPropertyName("ct0")] string? Ct0)
{
    public override string ToString() => "WebSessionConnectRequest { redacted }";
}

public sealed record ChannelResponse(
    [property: JsonPropertyName("id")] Guid Id,
    [property: JsonPropertyName("x_user_id")] string XUserId,
    [property: JsonPropertyName("handle")] string Handle,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("avatar_url")] string? AvatarUrl,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("read_only")] bool ReadOnly)
{
    public static ChannelResponse From(Channel channel) => new(
        channel.Id, channel.XUserId, channel.Handle, channel.DisplayName, channel.AvatarUrl,
        channel.Kind switch { ChannelKind.Cookie => "cookie", ChannelKind.ApiKeys => "api_keys", _ => "oauth2" },
        channel.State, channel.IsReadOnly);
}
