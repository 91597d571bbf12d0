using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace Sosyabot.Web.Mail;

// Outgoing mail through an SMTP server; bound from SMTP_*. With no SMTP_HOST the instance sends no mail
// and the pages that would (password reset) say to ask an admin instead.
public sealed class MailOptions : IValidatableObject
{
    [ConfigurationKeyName("SMTP_HOST")]
    public string? Host { get; set; }

    // Empty: the usual port for SMTP_SECURITY (25 none, 587 starttls, 465 tls).
    [ConfigurationKeyName("SMTP_PORT"), Range(1, 65535, ErrorMessage = "SMTP_PORT must be a port number (1-65535).")]
    public int? Port { get; set; }

    [ConfigurationKeyName("SMTP_USERNAME")]
    public string? Username { get; set; }

    [ConfigurationKeyName("SMTP_PASSWORD")]
    public string? Password { get; set; }

    [ConfigurationKeyName("SMTP_FROM")]
    public string? From { get; set; }

    [ConfigurationKeyName("SMTP_SECURITY"), RegularExpression("^(none|starttls|tls)$",
        ErrorMessage = "SMTP_SECURITY must be none, starttls or tls.")]
    public string? Security { get; set; }

    // An empty SMTP_SECURITY (as .env.example leaves it, or a compose default) means the safe default.
    public string EffectiveSecurity => string.IsNullOrWhiteSpace(Security) ? "starttls" : Security;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public int EffectivePort => Port ?? EffectiveSecurity switch
    {
        "none" => 25,
        "tls" => 465,
        _ => 587,
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            if (!string.IsNullOrWhiteSpace(From) || !string.IsNullOrWhiteSpace(Username))
            {
                yield return new ValidationResult("SMTP_FROM or SMTP_USERNAME is set but SMTP_HOST is empty: set SMTP_HOST to send mail.");
            }
            yield break;
        }
        // MimeKit accepts an address without a domain; a mail server would not.
        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out var sender) || !sender.Address.Contains('@', StringComparison.Ordinal))
        {
            yield return new ValidationResult(
                "SMTP_FROM must be the sender's address (e.g. \"Sosyabot <sosyabot@example.com>\") when SMTP_HOST is set.");
        }
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password))
        {
            yield return new ValidationResult("SMTP_USERNAME and SMTP_PASSWORD go together: set both or neither.");
        }
    }
}
