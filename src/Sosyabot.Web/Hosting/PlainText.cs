using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Sosyabot.Web.Hosting;

// Text a person or an agent sends must be storable and sendable as it is: no NUL (PostgreSQL text refuses
// it), no other control characters outside line breaks and tabs, no half of a UTF-16 surrogate pair
// (UTF-8 cannot encode it, so neither PostgreSQL nor X could take it).
public static class PlainText
{
    // What is wrong with text, to follow its label in a message; null when nothing is.
    public static string? Problem(string? text, bool multiline = false)
    {
        if (text is null)
        {
            return null;
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return "contains a broken character (half of a UTF-16 surrogate pair). Type or paste it again.";
            }
            else if (c == '\u007F' || (c < ' ' && !(multiline && c is '\n' or '\r' or '\t')))
            {
                return $"contains a control character (U+{((int)c).ToString("X4", CultureInfo.InvariantCulture)}), " +
                       $"which is not allowed{(multiline ? "" : " here (line breaks neither)")}.";
            }
        }
        return null;
    }
}

// A one-line field checked with PlainText.Problem.
[AttributeUsage(AttributeTargets.Property)]
public sealed class PlainTextAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        PlainText.Problem(value as string) is { } problem ? new ValidationResult($"{validationContext.DisplayName} {problem}") : ValidationResult.Success;
}
