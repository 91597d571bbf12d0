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
}
