using Sosyabot.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Sosyabot.Tests.Agents;

// X_API_BASE_URL may carry a path (a proxy, or a stand-in for X mounted under one): every call to X keeps it.
public sealed class ApiBaseUrlPathTests(ApiBaseUrlPathTests.AppWithXUnderAPath app) : IClassFixture<ApiBaseUrlPathTests.AppWithXUnderAPath>
{
    public sealed class AppWithXUnderAPath : AppWithFakeX
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["X_API_BASE_URL"] = X.Url + "/x-api",
        };
    }

    [Fact]
    public async Task ConnectApiKeys_BaseUrlWithAPath_CallsXUnderItSignedForThatUrl()
    {
        var keys = ByokKeys.NewReadWrite();
        var profile = new { data = new { id = keys.XUserId, username = keys.Username, name = "Under a path" } };
        app.X.Given(Request.Create().WithPath("/x-api/2/users/me").UsingGet()).RespondWith(Response.Create().WithBodyAsJson(profile));
        app.X.Given(Request.Create().WithPath($"/x-api/2/users/by/username/{keys.Username}").UsingGet())
            .RespondWith(Response.Create().WithBodyAsJson(profile));
        var workspace = await AgentWorkspace.RegisterAsync(app);

        var page = await workspace.SubmitApiKeysAsync(keys);

        Assert.True(page.QuerySelector(".flash-success") is not null, page.QuerySelector(".flash-error")?.TextContent ?? "no message");
        Assert.All(app.X.LogEntries, e => Assert.StartsWith("/x-api/2/", e.RequestMessage.Path, StringComparison.Ordinal));
        OAuth1Check.AssertSignedByUser(Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/x-api/2/users/me").RequestMessage, keys);
    }
}
