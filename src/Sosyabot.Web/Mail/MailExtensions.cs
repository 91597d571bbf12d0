namespace Sosyabot.Web.Mail;

public static class MailExtensions
{
    public static WebApplicationBuilder AddMail(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MailQueue>();
        builder.Services.AddSingleton<SmtpMailSender>();
        builder.Services.AddHostedService<MailSenderService>();
        return builder;
    }
}
