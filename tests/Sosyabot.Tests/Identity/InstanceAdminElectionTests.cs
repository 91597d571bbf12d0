using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// A fresh instance: no ADMIN_EMAIL/ADMIN_PASSWORD, so it prints a setup link and waits to be claimed.
public sealed class AppWithoutBootstrapAdmin : SosyabotAppFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();
}

public sealed class InstanceAdminElectionTests(AppWithoutBootstrapAdmin app) : IClassFixture<AppWithoutBootstrapAdmin>
{
    [Fact]
    public async Task Register_ConcurrentClaimsWithTheSameSetupToken_ExactlyOneBecomesAdmin()
    {
        var token = app.SetupToken();
        var clients = Enumerable.Range(0, 6).Select(_ => app.CreateBrowserClient()).ToList();

        var responses = await Task.WhenAll(clients.Select((client, i) =>
            client.SubmitRegistrationAsync($"/account/register?setup={token}", $"racer{i}@sosyabot.test")));

        var statuses = new List<HttpStatusCode>();
        foreach (var client in clients)
        {
            using var response = await client.GetAsync("/admin/api-integration/x-twitter");
            statuses.Add(response.RequestMessage!.RequestUri!.AbsolutePath == "/account/login" ? HttpStatusCode.Unauthorized : response.StatusCode);
        }
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        // The others were told the link is spent, and no account was made for them.
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        var refused = 0;
        foreach (var response in responses)
        {
            var page = await HtmlForms.ParseAsync(response);
            refused += page.QuerySelector(".flash-error")?.TextContent.Contains("setup link is no longer valid", StringComparison.Ordinal) == true ? 1 : 0;
            response.Dispose();
        }
        Assert.Equal(5, refused);
    }
}
