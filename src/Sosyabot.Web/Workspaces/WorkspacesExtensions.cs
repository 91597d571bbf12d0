namespace Sosyabot.Web.Workspaces;

public static class WorkspacesExtensions
{
    public static WebApplicationBuilder AddWorkspaces(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<WorkspaceCreator>();
        builder.Services.AddScoped<Identity.INewAccountListener>(services => services.GetRequiredService<WorkspaceCreator>());
        builder.Services.AddScoped<CurrentWorkspace>();
        return builder;
    }

    public static WebApplication MapWorkspaces(this WebApplication app)
    {
        // The members page lived here before the settings moved under /app/settings; bookmarks still point at it.
        // Anonymous so the redirect comes first and the new page alone decides who may see it.
        app.MapGet("/app/workspace/members", (HttpContext context, LinkGenerator links) =>
                TypedResults.LocalRedirect(links.GetPathByPage(context, "/Workspaces/Members")! + context.Request.QueryString, permanent: true))
            .AllowAnonymous()
            .ExcludeFromDescription();
        return app;
    }
}
