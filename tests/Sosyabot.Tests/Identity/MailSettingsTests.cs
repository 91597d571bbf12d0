using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// SMTP settings are checked when the app starts, not when the first person asks for a reset link.
public sealed class MailSettingsTests
{
    [Theory]
    [InlineData("smtp.example.test", null, "starttls", null, "SMTP_FROM")]
    [InlineData("smtp.example.test", "Sosyabot <sosyabot@example.test>", "ssl", null, "SMTP_SECURITY")]
    [InlineData("smtp.example.test", "Sosyabot <sosyabot@example.test>", "starttls", "only-a-user", "SMTP_PASSWORD")]
    [InlineData(null, "Sosyabot <sosyabot@example.test>", null, null, "SMTP_HOST")]
    [InlineData("smtp.example.test", "not an address", null, null, "SMTP_FROM")]
    public async Task Start_InvalidSmtpSettings_RefusesNamingTheVariable(string? host, string? from, string? security, string? username, string variable)
    {
        var app = new AppWithSettings(new Dictionary<string, string?>
        {
            ["SMTP_HOST"] = host, ["SMTP_FROM"] = from, ["SMTP_SECURITY"] = security, ["SMTP_USERNAME"] = username,
        });
        await ((IAsyncLifetime)app).InitializeAsync();
        try
        {
            Assert.Contains(variable, app.ReasonForRefusing(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class AppWithSettings(IReadOnlyDictionary<string, string?> settings) : SosyabotAppFactory
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings).Concat(settings)
            .ToDictionary(pair => pair.Key, pair => pair.Value);
    }
}
