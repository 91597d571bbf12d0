namespace Sosyabot.Web.Workspaces;

public static class WorkspacesExtensions
{
    public static WebApplicationBuilder AddWorkspaces(this WebApplicationBuilder builder)
    {
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<WorkspaceCreator>();
        builder.Services.AddScoped<Identity.INewAccountListener>(services => services.GetRequiredService<WorkspaceCreator>());
        builder.Services.AddScoped<CurrentWorkspace>();
        builder.Services.AddScoped<WorkspaceInvitations>();
        builder.Services.AddScoped<Identity.IRegistrationInvitations>(services => services.GetRequiredService<WorkspaceInvitations>());
        builder.Services.AddScoped<WorkspaceMemberships>();
        builder.Services.AddScoped<WorkspacePermissionFilter>();
        // Every page handler passes the workspace permission check (WorkspacePermissions), pages of every feature alike.
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(options => options.Filters.AddService<WorkspacePermissionFilter>());
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
