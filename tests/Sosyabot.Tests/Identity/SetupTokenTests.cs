using System.Net;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// Claiming a fresh instance: only the person holding the link from the log becomes admin, once.
public sealed class SetupTokenTests(AppWithoutBootstrapAdmin app) : IClassFixture<AppWithoutBootstrapAdmin>
{
    [Fact]
    public async Task Register_UnclaimedInstance_OnlyTheSetupTokenMakesAnAdminAndOnlyOnce()
    {
        var token = app.SetupToken();

        // A visitor without the link: an ordinary account, even though nobody is admin yet.
        var visitor = await app.RegisterAsync($"first-visitor-{Guid.NewGuid():N}@sosyabot.test");
        using (var denied = await visitor.GetAsync("/admin"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        }

        // The holder of the link sees what it does, and becomes admin, even with registration closed.
        await SetRegistrationModeAsync("closed");
        var owner = app.CreateBrowserClient();
        var page = await owner.GetDocumentAsync($"/account/register?setup={token}");
        var claim = System.Text.RegularExpressions.Regex.Replace(page.QuerySelector("#setup-claim")!.TextContent, @"\s+", " ");
        Assert.Contains("becomes the instance admin", claim);
        using (var claimed = await owner.SubmitRegistrationAsync($"/account/register?setup={token}", $"owner-{Guid.NewGuid():N}@sosyabot.test"))
        {
            var landed = await HtmlForms.ParseAsync(claimed);
            Assert.Contains("You claimed this instance", landed.QuerySelector(".flash-success")!.TextContent);
        }
        using (var admin = await owner.GetAsync("/admin"))
        {
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
        }

        // The link is dead: the page says so, and a registration through it makes no account.
        var late = app.CreateBrowserClient();
        var spent = await late.GetDocumentAsync($"/account/register?setup={token}");
        Assert.Null(spent.QuerySelector("#setup-claim"));
        Assert.Contains("setup link is no longer valid", spent.QuerySelector(".flash-error")!.TextContent);
        Assert.Null(spent.QuerySelector("#register"));
        await SetRegistrationModeAsync("open");
        var lateEmail = $"late-{Guid.NewGuid():N}@sosyabot.test";
        using (var refused = await late.SubmitRegistrationAsync($"/account/register?setup={token}", lateEmail))
        {
            Assert.Contains("setup link is no longer valid", (await HtmlForms.ParseAsync(refused)).QuerySelector(".flash-error")!.TextContent);
        }
        await using var db = app.Database.CreateDbContext();
        Assert.False(await db.Users.AnyAsync(u => u.Email == lateEmail));
        Assert.False(await db.Options.AnyAsync(o => o.Key.StartsWith("identity.setup_token.")));
    }

    [Fact]
    public async Task RegisterPage_ForgedSetupToken_OffersNoClaimAndMakesNoAdmin()
    {
        var stranger = app.CreateBrowserClient();
        var forged = "A" + app.SetupToken()[1..] + "x";

        var page = await stranger.GetDocumentAsync($"/account/register?setup={forged}");
        Assert.Null(page.QuerySelector("#setup-claim"));
        using var response = await stranger.SubmitRegistrationAsync($"/account/register?setup={forged}", $"forger-{Guid.NewGuid():N}@sosyabot.test");

        Assert.Contains("setup link is no longer valid", (await HtmlForms.ParseAsync(response)).QuerySelector(".flash-error")!.TextContent);
        using var admin = await stranger.GetAsync("/admin");
        Assert.Equal("/account/login", admin.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Boot_Unclaimed_StoresOnlyAHashOfTheSetupToken()
    {
        var token = app.SetupToken();

        await using var db = app.Database.CreateDbContext();
        var values = await db.Options.Select(o => o.Key + " " + o.Value).ToListAsync();

        Assert.DoesNotContain(values, v => v.Contains(token, StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, l => l.Contains(SosyabotAppFactory.BaseUrl + "/account/register?setup=" + token, StringComparison.Ordinal));
    }

    private async Task SetRegistrationModeAsync(string mode)
    {
        await using var db = app.Database.CreateDbContext();
        await db.Options.Where(o => o.Key == "identity.registration_mode").ExecuteDeleteAsync();
        db.Options.Add(new Sosyabot.Web.Data.OptionEntry { Key = "identity.registration_mode", Value = mode, UpdatedAt = DateTimeOffset.UnixEpoch });
        await db.SaveChangesAsync();
    }
}
