using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Sosyabot.Tests.Infrastructure;

// The app with SMTP configured to a local SMTP server, and a clock the tests move (reset links expire).
public class AppWithMail : SosyabotAppFactory
{
    public const string From = "Sosyabot <sosyabot@sosyabot.example.test>";

    public LocalSmtpServer Smtp { get; private set; } = null!;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["SMTP_HOST"] = "127.0.0.1",
        ["SMTP_PORT"] = Smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SMTP_SECURITY"] = "none",
        ["SMTP_FROM"] = From,
    };

    public override async Task InitializeAsync()
    {
        Smtp = LocalSmtpServer.Start();
        await base.InitializeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.UseFakeClock(Clock));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
