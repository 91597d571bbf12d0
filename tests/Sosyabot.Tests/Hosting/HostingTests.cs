using System.Net;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Data;

namespace Sosyabot.Tests.Hosting;

public sealed class HostingTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task HealthEndpoints_Anonymous_AnswerHealthy(string path)
    {
        using var response = await app.CreateBrowserClient(followRedirects: false).GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task LoginPage_Anonymous_CarriesSecurityHeaders()
    {
        using var response = await app.CreateBrowserClient().GetAsync("/account/login");

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("strict-origin-when-cross-origin", response.Headers.GetValues("Referrer-Policy").Single());
    }
}

public sealed class DatabaseUrlTests
{
    [Theory]
    [InlineData("postgres://app:p%40ss@db.internal:6543/sosyabot", "Host=db.internal;Port=6543;Database=sosyabot;Username=app;Password=p@ss")]
    [InlineData("postgresql://app@localhost/sosyabot?sslmode=require", "Host=localhost;Port=5432;Database=sosyabot;Username=app;SSL Mode=Require")]
    [InlineData("Host=h;Database=d;Username=u", "Host=h;Database=d;Username=u")]
    public void ToNpgsqlConnectionString_BothForms_AreUnderstood(string databaseUrl, string expected)
    {
        var actual = new Npgsql.NpgsqlConnectionStringBuilder(DatabaseOptions.ToNpgsqlConnectionString(databaseUrl));

        Assert.True(actual.EquivalentTo(new Npgsql.NpgsqlConnectionStringBuilder(expected)), actual.ConnectionString);
    }

    [Theory]
    [InlineData("Host=h;Database=d", true)]
    [InlineData("Host=h;Database=d;No Reset On Close=false", false)]
    [InlineData("Host=h;Database=d;NoResetOnClose=false", false)]
    public void Database_ConnectionsAreNotResetUnlessTheConnectionStringSaysOtherwise(string connectionString, bool noResetOnClose)
    {
        var used = new Npgsql.NpgsqlConnectionStringBuilder(Sosyabot.Web.Data.DataExtensions.WithoutConnectionReset(connectionString));

        Assert.Equal(noResetOnClose, used.NoResetOnClose);
        Assert.Equal(0, used.MaxAutoPrepare);
        Assert.Equal("h", used.Host);
    }
}
