using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

public sealed class AppWithoutBootstrapAdmin : SosyabotAppFactory
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>();
}

public sealed class InstanceAdminElectionTests(AppWithoutBootstrapAdmin app) : IClassFixture<AppWithoutBootstrapAdmin>
{
    [Fact]
    public async Task Register_ConcurrentFirstAccounts_ExactlyOneBecomesAdmin()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 6)
            .Select(i => app.RegisterAsync($"racer{i}@sosyabot.test")));

        var statuses = new List<HttpStatusCode>();
        foreach (var client in clients)
        {
            using var response = await client.GetAsync("/admin/api-integration/x-twitter");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Forbidden));
    }
}
