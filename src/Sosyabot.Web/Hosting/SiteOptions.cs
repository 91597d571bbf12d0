using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Sosyabot.Web.Hosting;

// Where the instance is reachable from the outside; bound from BASE_URL.
public sealed class SiteOptions
{
    public const string CallbackPath = "/api/v1/auth/twitter/callback";

    [ConfigurationKeyName("BASE_URL"), Required, AbsoluteHttpUrl]
    public string BaseUrl { get; set; } = "http://localhost:8080";

    public string TwitterCallbackUrl => BaseUrl.TrimEnd('/') + CallbackPath;
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class AbsoluteHttpUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text
        && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.DisplayName} must be an absolute http(s) URL, got '{value}'.");
}
