using System.ComponentModel.DataAnnotations;

namespace Sosyabot.Web.Admin;

// X's client ids and secrets are short runs of visible ASCII. Anything else is a paste gone wrong
// (a trailing newline, a space, half a JSON blob) and would fail at X with a far less helpful message.
[AttributeUsage(AttributeTargets.Property)]
public sealed class CredentialValueAttribute : ValidationAttribute
{
    public const int MaxLength = 200;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || text.Length == 0)
        {
            return ValidationResult.Success;
        }
        var name = validationContext.DisplayName;
        if (text.Length > MaxLength)
        {
            return new ValidationResult($"{name} is {text.Length} characters long; X's are well under {MaxLength}. Copy it again from X's developer portal.");
        }
        if (text.Any(char.IsWhiteSpace))
        {
            return new ValidationResult($"{name} must not contain spaces or line breaks. Copy it again without surrounding whitespace.");
        }
        if (text.Any(c => c < 0x21 || c > 0x7E))
        {
            return new ValidationResult($"{name} may contain only visible ASCII characters (no control characters, no accented letters or symbols).");
        }
        return ValidationResult.Success;
    }
}
