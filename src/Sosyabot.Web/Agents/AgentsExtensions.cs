using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Agents;

public static class AgentsExtensions
{
    public const string OpenApiPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/reference";

    public static WebApplicationBuilder AddAgents(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<AgentActions>();
        builder.Services.AddOptions<ApiAuthLimitOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ApiAuthThrottle>();
        builder.Services.AddSingleton<ApiTokenCache>();
        // The API reference (Scalar) boots from an inline module and styles itself inline; it shows no user content.
        builder.Services.Configure<Hosting.SecurityHeaderOptions>(options => options.InlineScriptPaths.Add(ReferencePath));
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenDefaults.Scheme, _ => { });

        var authorization = builder.Services.AddAuthorizationBuilder();
        foreach (var scope in ApiScopes.All)
        {
            authorization.AddPolicy(ApiTokenDefaults.PolicyFor(scope), policy => policy
                .AddAuthenticationSchemes(ApiTokenDefaults.Scheme)
                .RequireAuthenticatedUser()
                .RequireClaim(AgentCaller.ScopeClaim, scope));
        }

        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, context, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Sosyabot agent API",
                Version = "v1",
                Description = "Act on X through a workspace's channels. Authenticate with a workspace API token: " +
                              "'Authorization: Bearer sbt_...' (Settings → API tokens). Scopes: read, write, dm.",
            };
            // BASE_URL, not the request's host: behind a proxy that is what clients must call. Without the trailing
            // slash the framework writes, so that server + path does not make '//api/v1'.
            var baseUrl = context.ApplicationServices.GetRequiredService<IOptions<SiteOptions>>().Value.BaseUrl.TrimEnd('/');
            document.Servers = [new OpenApiServer { Url = baseUrl }];
            if (document.Tags?.FirstOrDefault(tag => tag.Name == AgentApi.Tag) is { } tag)
            {
                tag.Description = "A workspace's agents and automations, authenticated by the workspace's API tokens.";
            }
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiTokenDefaults.Scheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "A workspace API token (sbt_...).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiTokenDefaults.Scheme, document)] = [] }];
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static WebApplication MapAgents(this WebApplication app)
    {
        app.MapAgentApi();
        // Without this a mistyped path meets the token check first and answers 401, which sends people hunting for a token problem.
        // A path that exists under another method answers 405 with Allow, as routing would without this fallback.
        app.MapFallback("/api/v1/{**path}", (HttpContext context) =>
        {
            var allowed = Hosting.MethodNotAllowed.AllowedMethods(context);
            if (allowed.Count > 0)
            {
                context.Response.Headers.Allow = string.Join(", ", allowed);
                return TypedResults.Problem($"{context.Request.Path} takes {string.Join(", ", allowed)}, not {context.Request.Method}.",
                    statusCode: StatusCodes.Status405MethodNotAllowed, title: "Method not allowed");
            }
            return TypedResults.Problem("There is no such /api/v1 endpoint. The reference is at " + ReferencePath + ".",
                statusCode: StatusCodes.Status404NotFound, title: "Not found");
        }).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi(OpenApiPath).AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, options =>
        {
            options.WithTitle("Sosyabot agent API").WithOpenApiRoutePattern(OpenApiPath);
            // A self-hosted instance calls home to nobody: no telemetry, no web fonts, no hosted extras.
            options.Telemetry = false;
            options.DefaultFonts = false;
            options.DotNetFlag = false;
            options.HideClientButton = true;
            options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            options.Agent = new ScalarAgentOptions { Disabled = true };
        }).AllowAnonymous();
        return app;
    }
}
