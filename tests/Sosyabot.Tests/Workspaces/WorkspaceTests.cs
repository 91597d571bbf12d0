using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Tests.Workspaces;

public sealed class WorkspaceTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task Register_NewAccount_GetsAWorkspaceOfItsOwn()
    {
        var user = await app.RegisterAsync("jane.doe@sosyabot.test");

        var page = await user.GetDocumentAsync("/app/channels");

        Assert.Contains("jane.doe's workspace", page.QuerySelector(".page-head")!.TextContent);
        Assert.NotNull(page.QuerySelector("#no-channels"));
    }

    [Fact]
    public async Task FirstUse_AccountWithoutWorkspace_ManyRequestsAtOnceMakeOneWorkspace()
    {
        // An account made before accounts got a workspace at creation, whose first page load sends requests at once.
        var email = $"early-{Guid.NewGuid():N}@sosyabot.test";
        var user = new AppUser { UserName = email, Email = email };
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().CreateAsync(user, "a long enough password")).Succeeded);
        }
        var identity = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user.Id), new Claim(ClaimTypes.Name, email)], "test"));

        var chosen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var scope = app.Services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<IHttpContextAccessor>().HttpContext = new DefaultHttpContext { User = identity };
            return (await scope.ServiceProvider.GetRequiredService<CurrentWorkspace>().GetAsync(CancellationToken.None)).WorkspaceId;
        })));

        await using var db = app.Database.CreateDbContext();
        var workspaces = await db.WorkspaceMembers.Where(m => m.UserId == user.Id).Select(m => m.WorkspaceId).ToListAsync();
        Assert.Single(workspaces);
        Assert.All(chosen, id => Assert.Equal(workspaces[0], id));
    }

    [Fact]
    public async Task CreateAndSwitch_TwoWorkspaces_SwitcherMovesBetweenThem()
    {
        var user = await app.RegisterAsync($"multi-{Guid.NewGuid():N}@sosyabot.test");
        var form = await user.GetDocumentAsync("/app/workspaces/new");
        using var created = await user.SubmitAsync(form, "#create-workspace", new Dictionary<string, string> { ["Name"] = "Client Acme" });
        var inNew = await HtmlForms.ParseAsync(created);
        Assert.Contains("Client Acme", inNew.QuerySelector(".page-head")!.TextContent);

        var options = inNew.QuerySelectorAll("#workspace-switcher option").ToList();
        Assert.Equal(2, options.Count);
        var personal = options.Single(o => !o.TextContent.Contains("Client Acme")).GetAttribute("value")!;
        using var switched = await user.SubmitAsync(inNew, ".switcher button", new Dictionary<string, string> { ["workspaceId"] = personal });

        var back = await HtmlForms.ParseAsync(switched);
        Assert.Contains("'s workspace", back.QuerySelector(".page-head")!.TextContent);
        Assert.DoesNotContain("Client Acme", back.QuerySelector(".page-head")!.TextContent);
    }

    [Fact]
    public async Task Switch_ToWorkspaceOfSomebodyElse_Gets404AndStaysPut()
    {
        var owner = await app.RegisterAsync($"owner-{Guid.NewGuid():N}@sosyabot.test");
        var ownersWorkspace = (await owner.GetDocumentAsync("/app/channels")).QuerySelector("#workspace-switcher option[selected]")!.GetAttribute("value")!;
        var outsider = await app.RegisterAsync($"outsider-{Guid.NewGuid():N}@sosyabot.test");
        var page = await outsider.GetDocumentAsync("/app/channels");

        using var response = await outsider.WithoutRedirects()
            .SubmitAsync(page, ".switcher button", new Dictionary<string, string> { ["workspaceId"] = ownersWorkspace });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var after = await outsider.GetDocumentAsync("/app/channels");
        Assert.Contains("outsider-", after.QuerySelector(".page-head")!.TextContent);
    }

    [Fact]
    public async Task CreateWorkspace_NameWithControlCharacters_IsRefused()
    {
        var user = await app.RegisterAsync($"ctl-{Guid.NewGuid():N}@sosyabot.test");
        var form = await user.GetDocumentAsync("/app/workspaces/new");

        using var response = await user.SubmitAsync(form, "#create-workspace", new Dictionary<string, string> { ["Name"] = "Bad\u0007Name" });

        var page = await HtmlForms.ParseAsync(response);
        Assert.True(page.QuerySelector("[data-valmsg-for='Name']") is not null,
            $"{(int)response.StatusCode} {response.RequestMessage!.RequestUri} {page.Title}");
        Assert.Contains("control characters", page.QuerySelector("[data-valmsg-for='Name']")!.TextContent);
    }
}

public sealed class WorkspaceMemberTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task OldMembersUrl_Bookmarked_RedirectsPermanentlyToSettingsMembers()
    {
        using var anonymous = await app.CreateBrowserClient(followRedirects: false).GetAsync("/app/workspace/members");
        Assert.Equal(HttpStatusCode.MovedPermanently, anonymous.StatusCode);
        Assert.Equal("/app/settings/members", anonymous.Headers.Location!.OriginalString);

        var owner = await app.RegisterAsync($"bookmark-{Guid.NewGuid():N}@sosyabot.test");
        using var followed = await owner.GetAsync("/app/workspace/members");

        Assert.Equal(HttpStatusCode.OK, followed.StatusCode);
        Assert.Equal("/app/settings/members", followed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.NotNull((await HtmlForms.ParseAsync(followed)).QuerySelector("#invite"));
    }
}
