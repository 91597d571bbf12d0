using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Sosyabot.Tests.Infrastructure;

// The app with WireMock.Net in X's place and a clock the tests move.
public class AppWithFakeX : SosyabotAppFactory
{
    public const string AuthorizeUrl = "https://x.example.test/i/oauth2/authorize";
    public const string ClientId = "FakeXClientId-0123456789";
    public const string ClientSecret = "fake-x-client-secret";

    public WireMockServer X { get; } = WireMockServer.Start();

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["X_API_BASE_URL"] = X.Url,
        ["X_WEB_BASE_URL"] = X.Url,
        ["X_AUTHORIZE_URL"] = AuthorizeUrl,
        // Tests drive the publisher themselves (Publisher.RunOnceAsync) while they move the clock.
        ["PUBLISHER_ENABLED"] = "false",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.UseFakeClock(Clock));
    }

    // X's token endpoint answering an authorization code with these tokens.
    public void GivenTokenEndpointIssues(
        string accessToken, string? refreshToken = null, int expiresIn = 7200, string grantType = "authorization_code",
        string scope = "tweet.read tweet.write users.read")
    {
        X.Given(Request.Create().WithPath("/2/oauth2/token").UsingPost().WithBody(b => b!.Contains($"grant_type={grantType}")))
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                token_type = "bearer",
                expires_in = expiresIn,
                access_token = accessToken,
                scope = scope + (refreshToken is null ? "" : " offline.access"),
                refresh_token = refreshToken,
            }));
    }

    public void GivenUsersMe(string id, string username, string name = "Test Account") =>
        X.Given(Request.Create().WithPath("/2/users/me").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new
            {
                data = new { id, username, name, profile_image_url = "https://pbs.example.test/" + username + ".png" },
            }));

    public override async ValueTask DisposeAsync()
    {
        X.Stop();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
