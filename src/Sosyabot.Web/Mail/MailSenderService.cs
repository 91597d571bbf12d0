namespace Sosyabot.Web.Mail;

// Drains MailQueue. A message that fails is logged (never its body: it holds one-time links) and dropped;
// the person sees no mail arrive and asks again, or an admin issues a link by hand.
internal sealed partial class MailSenderService(MailQueue queue, SmtpMailSender sender, ILogger<MailSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var mail in queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await sender.SendAsync(mail, stoppingToken);
                LogSent(logger, mail.Subject);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            // Any failure (refused, unreachable, bad credentials, a bad address): one failed message must not
            // stop the mail of everyone after it.
            catch (Exception exception)
            {
                LogFailed(logger, exception, mail.Subject);
            }
        }
    }

    [LoggerMessage(LogLevel.Information, "Mail sent: {Subject}")]
    private static partial void LogSent(ILogger logger, string subject);

    [LoggerMessage(LogLevel.Error, "Mail could not be sent: {Subject}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string subject);
}
