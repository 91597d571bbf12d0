using Sosyabot.Web.X;

namespace Sosyabot.Web.Admin;

public static class AdminExtensions
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<Microsoft.AspNetCore.Mvc.RazorPages.RazorPagesOptions>(options =>
            options.Conventions.AuthorizeFolder("/Admin", Identity.Roles.InstanceAdminPolicy));
        return builder;
    }
}
