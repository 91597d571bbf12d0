using System.Net;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Channels;

public sealed class ChannelIsolationTests(AppWithFakeX app) : IClassFixture<AppWithFakeX>
{
    [Fact]
    public async Task EveryChannelRoute_UserOfAnotherWorkspace_Gets404AndSeesNothing()
    {
        app.X.Reset();
        await XConnectFlow.ConfigureIntegrationAsync(app);
        app.GivenTokenEndpointIssues("owner-access-token");
        app.GivenUsersMe("6001", "owners_account", "Owner's Account");
        var owner = await app.RegisterAsync($"owner-{Guid.NewGuid():N}@sosyabot.test");
        var connected = await XConnectFlow.ConnectAsync(owner);
        var channelUrl = connected.QuerySelector("li.channel[data-handle='owners_account'] a.handle")!.GetAttribute("href")!;
        var outsider = await app.RegisterAsync($"outsider-{Guid.NewGuid():N}@sosyabot.test");
        var outsiderPage = await outsider.GetDocumentAsync("/app/channels");
        var antiforgery = outsiderPage.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var get = await outsider.WithoutRedirects().GetAsync(channelUrl);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.DoesNotContain("owners_account", await get.Content.ReadAsStringAsync());
        foreach (var handler in new[] { "Check", "Reconnect", "Disconnect", "Remove" })
        {
            using var post = await outsider.WithoutRedirects().PostAsync($"{channelUrl}?handler={handler}",
                new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery }));
            Assert.True(post.StatusCode == HttpStatusCode.NotFound, $"{handler} answered {(int)post.StatusCode}");
            Assert.DoesNotContain("owners_account", await post.Content.ReadAsStringAsync());
        }
        Assert.Null(outsiderPage.QuerySelector("li.channel[data-handle='owners_account']"));
        Assert.Single(app.X.LogEntries, e => e.RequestMessage.Path == "/2/users/me");
        Assert.DoesNotContain(app.X.LogEntries, e => e.RequestMessage.Path == "/2/oauth2/revoke");
        var stillActive = await owner.GetDocumentAsync("/app/channels");
        Assert.Equal("active", XConnectFlow.StateBadge(stillActive, "owners_account"));
    }
}
