namespace Sosyabot.Web.X;

public static class XExtensions
{
    public static WebApplicationBuilder AddX(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<XOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }
}
