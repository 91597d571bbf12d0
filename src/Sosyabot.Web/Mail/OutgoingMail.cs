namespace Sosyabot.Web.Mail;

// One message to one person, in plain text: links in it are shown whole, as the person will paste them.
public sealed record OutgoingMail(string To, string Subject, string TextBody);
