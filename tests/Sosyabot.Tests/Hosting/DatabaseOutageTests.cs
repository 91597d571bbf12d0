using System.Net;
using Npgsql;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Hosting;

// The app reaches PostgreSQL through a hop the test can cut, to watch an outage and the recovery.
public sealed class AppWithUnreliableDatabase : SosyabotAppFactory
{
    public TcpPassthrough Link { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var direct = new NpgsqlConnectionStringBuilder(Database.ConnectionString);
        Link = new TcpPassthrough(direct.Host!, direct.Port);
        Link.Start();
    }

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["DATABASE_URL"] = new NpgsqlConnectionStringBuilder(Database.ConnectionString) { Host = "127.0.0.1", Port = Link.Port, Timeout = 3 }.ConnectionString,
        ["PUBLISHER_ENABLED"] = "false",
    };

    public override async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync();
        await base.DisposeAsync();
    }
}

public sealed class DatabaseOutageTests(AppWithUnreliableDatabase app) : IClassFixture<AppWithUnreliableDatabase>
{
    [Fact]
    public async Task DatabaseGoesDownAndComesBack_Answers503WithAClearPageThenRecoversWithoutRestart()
    {
        var admin = await app.LogInAsAdminAsync();
        using (var before = await admin.GetAsync("/app/channels"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        app.Link.Stop();

        using var page = await admin.GetAsync("/app/channels");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Equal("10", page.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var html = await HtmlForms.ParseAsync(page);
        Assert.Contains("cannot reach its database", html.QuerySelector("#database-unavailable")!.TextContent);
        Assert.NotNull(html.QuerySelector("meta[http-equiv=refresh]"));
        // Probes come without a session (a signed-in request checks its session against the database first).
        using var probe = app.CreateClient();
        using var ready = await probe.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("database is unreachable", await ready.Content.ReadAsStringAsync());
        using var live = await probe.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        app.Link.Start();

        // Connections that died with the outage are dropped as they are found; a page reload or two at most.
        HttpStatusCode status = default;
        for (var attempt = 0; attempt < 3 && status != HttpStatusCode.OK; attempt++)
        {
            using var after = await admin.GetAsync("/app/channels");
            status = after.StatusCode;
        }
        Assert.Equal(HttpStatusCode.OK, status);
        using var readyAgain = await probe.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, readyAgain.StatusCode);
    }
}
