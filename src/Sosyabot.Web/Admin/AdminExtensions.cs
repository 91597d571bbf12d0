namespace Sosyabot.Web.Admin;

public static class AdminExtensions
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<XIntegrationSettings>();
        return builder;
    }
}
