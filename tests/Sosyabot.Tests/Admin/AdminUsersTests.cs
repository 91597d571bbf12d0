using System.Net;
using AngleSharp.Dom;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Identity;

namespace Sosyabot.Tests.Admin;

public sealed class AdminUsersTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task UsersPage_Admin_ListsEveryAccountWithItsFacts()
    {
        var email = $"listed-{Guid.NewGuid():N}@sosyabot.test";
        await app.RegisterAsync(email);
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync("/admin/users");

        var row = Row(page, email);
        var id = row.GetAttribute("data-user-id")!;
        Assert.Equal("User", row.QuerySelector(".role")!.TextContent.Trim());
        Assert.Equal("Active", row.QuerySelector(".status")!.TextContent.Trim());
        Assert.Equal("Off", row.QuerySelector(".two-factor")!.TextContent.Trim());
        Assert.Equal("1", row.QuerySelector(".workspaces")!.TextContent.Trim());
        Assert.EndsWith("UTC", row.QuerySelector(".created time")!.TextContent.Trim());
        var reset = row.QuerySelector("a[href$='/reset-link']")!;
        Assert.Equal($"/admin/users/{id}/reset-link", reset.GetAttribute("href"));
        Assert.Equal("Issue reset link", reset.TextContent.Trim());
        Assert.NotNull(row.QuerySelector("form[data-confirm] button.disable"));
        var self = Row(page, SosyabotAppFactory.AdminEmail);
        Assert.Equal("Instance admin", self.QuerySelector(".role")!.TextContent.Trim());
        Assert.Null(self.QuerySelector("button.disable"));
    }

    [Fact]
    public async Task UsersPage_NotAnAdmin_IsForbidden()
    {
        var user = await app.RegisterAsync($"curious-{Guid.NewGuid():N}@sosyabot.test");

        using var response = await user.GetAsync("/admin/users");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Disable_SignedInUser_SessionEndsAndSignInFailsUntilEnabled()
    {
        var email = $"disabled-{Guid.NewGuid():N}@sosyabot.test";
        var user = await app.RegisterAsync(email);
        var admin = await app.LogInAsAdminAsync();

        var page = await admin.GetDocumentAsync("/admin/users");
        using (var disabled = await admin.SubmitAsync(page, $"tr[data-email='{email}'] button.disable"))
        {
            var after = await HtmlForms.ParseAsync(disabled);
            Assert.Contains("is disabled", after.QuerySelector(".flash-success")!.TextContent);
            Assert.Equal("Disabled", Row(after, email).QuerySelector(".status")!.TextContent.Trim());
        }

        using (var session = await user.GetAsync("/app/channels"))
        {
            Assert.Equal("/account/login", session.RequestMessage!.RequestUri!.AbsolutePath);
        }
        using (var refused = await app.CreateBrowserClient().SubmitLoginAsync("/account/login", email, "a-long-enough-password"))
        {
            Assert.Equal(LoginModel.Refused, (await HtmlForms.ParseAsync(refused)).QuerySelector(".flash-error")!.TextContent.Trim());
        }
        Assert.Contains(app.Logs.Lines, l => l.Contains("Sign-in attempt on disabled user", StringComparison.Ordinal));

        page = await admin.GetDocumentAsync("/admin/users");
        using (await admin.SubmitAsync(page, $"tr[data-email='{email}'] button.enable"))
        {
        }
        await app.LogInAsync(email, "a-long-enough-password");
    }

    [Fact]
    public async Task Disable_OwnAccount_IsRefused()
    {
        var admin = await app.LogInAsAdminAsync();
        var page = await admin.GetDocumentAsync("/admin/users");
        var id = Row(page, SosyabotAppFactory.AdminEmail).GetAttribute("data-user-id")!;
        var antiforgery = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        using var response = await admin.PostAsync($"/admin/users?handler=Disable&id={id}",
            new FormUrlEncodedContent([new("__RequestVerificationToken", antiforgery)]));

        var after = await HtmlForms.ParseAsync(response);
        Assert.Contains("cannot disable your own account", after.QuerySelector(".flash-error")!.TextContent);
        await using var db = app.Database.CreateDbContext();
        Assert.Null((await db.Users.SingleAsync(u => u.Id == id)).DisabledAt);
    }

    private static IElement Row(IDocument page, string email) =>
        page.QuerySelector($"#users tr[data-email='{email}']") ?? throw new InvalidOperationException($"No row for {email}");
}
