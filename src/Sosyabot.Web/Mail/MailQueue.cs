using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Sosyabot.Web.Mail;

// Pages hand mail to this queue and answer at once; MailSenderService sends it in the background. A page
// that answers the same whether or not it sent mail (forgot password) then also takes the same time.
// Mail still queued when the process stops is lost: the person asks again.
public sealed class MailQueue(IOptions<MailOptions> options)
{
    private readonly Channel<OutgoingMail> _mail = Channel.CreateBounded<OutgoingMail>(
        new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public bool IsConfigured => options.Value.IsConfigured;

    // False when mail is not configured or the queue is full (a flood of requests): the caller shows its usual answer.
    public bool TryEnqueue(OutgoingMail mail) => IsConfigured && _mail.Writer.TryWrite(mail);

    internal ChannelReader<OutgoingMail> Reader => _mail.Reader;
}
