using System.Net;
using AngleSharp.Dom;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Shared;

public sealed class NavigationTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task Layout_SignedInAdmin_LinksEveryFeatureToItsUrl()
    {
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync("/app/channels");

        Assert.Equal("/", page.QuerySelector(".topbar .brand")!.GetAttribute("href"));
        Assert.Equal(
            [
                ("Channels", "/app/channels"), ("Publishing", "/app/publishing"), ("Calendar", "/app/calendar"), ("Queue", "/app/queue"),
                ("Analytics", "/app/analytics"), ("Settings", "/app/settings/members"), ("Admin", "/admin"),
            ],
            Links(page, ".topbar .nav a"));
        Assert.Equal(["Channels"], Active(page, ".topbar .nav a"));
        Assert.Equal("/app/workspaces/new", page.QuerySelector(".switcher a")!.GetAttribute("href"));
        Assert.Equal("/app/notifications", page.QuerySelector("#notifications-link")!.GetAttribute("href"));
        Assert.Equal("/app/workspaces/switch", page.QuerySelector("form.switcher")!.GetAttribute("action"));
    }

    [Theory]
    [InlineData("/app/settings/members", "Members")]
    [InlineData("/app/settings/api-tokens", "API tokens")]
    [InlineData("/app/settings/preferences", "Time and clock")]
    [InlineData("/app/settings/notifications", "Notifications")]
    [InlineData("/app/settings/webhooks", "Webhooks")]
    public async Task SettingsPage_SignedIn_SettingsAndItsOwnSideLinkAreActive(string path, string sideLink)
    {
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync(path);

        Assert.Equal(
            [
                ("Members", "/app/settings/members"), ("API tokens", "/app/settings/api-tokens"), ("Time and clock", "/app/settings/preferences"),
                ("Notifications", "/app/settings/notifications"), ("Webhooks", "/app/settings/webhooks"),
            ],
            Links(page, ".sidenav a"));
        Assert.Equal([sideLink], Active(page, ".sidenav a"));
        Assert.Equal(["Settings"], Active(page, ".topbar .nav a"));
    }

    [Fact]
    public async Task AdminPage_Admin_SideLinkAndBreadcrumbPointAtTheAdminUrls()
    {
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync("/admin/api-integration/x-twitter");

        Assert.Equal(
            [("X (Twitter)", "/admin/api-integration/x-twitter"), ("Users", "/admin/users"), ("Registration", "/admin/registration")],
            Links(page, ".sidenav a"));
        Assert.Equal(["X (Twitter)"], Active(page, ".sidenav a"));
        Assert.Equal("/admin", page.QuerySelector(".breadcrumb a")!.GetAttribute("href"));
        Assert.Equal(["Admin"], Active(page, ".topbar .nav a"));
        var index = await admin.GetDocumentAsync("/admin");
        Assert.Equal("/admin/api-integration/x-twitter", index.QuerySelector(".cards a")!.GetAttribute("href"));
    }

    [Fact]
    public async Task Layout_SignedOut_LinksToLogInAndRegister()
    {
        var page = await app.CreateBrowserClient().GetDocumentAsync("/account/login");

        Assert.Equal([("Log in", "/account/login"), ("Register", "/account/register")], Links(page, ".topbar .nav a"));
    }

    [Fact]
    public async Task ErrorPage_UnknownAddress_LinksBackToTheStart()
    {
        var user = await app.LogInAsAdminAsync();

        using var response = await user.GetAsync("/no-such-page");

        var page = await HtmlForms.ParseAsync(response);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("/", page.QuerySelector(".auth-card a")!.GetAttribute("href"));
    }

    private static List<(string Text, string? Href)> Links(IDocument page, string selector) =>
        page.QuerySelectorAll(selector).Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).ToList();

    private static List<string> Active(IDocument page, string selector) =>
        page.QuerySelectorAll(selector).Where(a => a.ClassList.Contains("active")).Select(a => a.TextContent.Trim()).ToList();
}
