using System.Net;
using AngleSharp.Dom;
using Microsoft.AspNetCore.WebUtilities;
using Sosyabot.Tests.Admin;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Channels;

// The steps of Connect → X as a browser takes them, with the test standing in for X's redirect back.
internal static class XConnectFlow
{
    public const string CallbackPath = "/api/v1/auth/twitter/callback";

    public static async Task ConfigureIntegrationAsync(SosyabotAppFactory app, string status = "enabled", bool longLived = false)
    {
        var admin = await app.LogInAsAdminAsync();
        await XTwitterAdminPage.SaveAsync(admin, AppWithFakeX.ClientId, AppWithFakeX.ClientSecret, status, longLived);
    }

    // Presses Connect → X (Twitter) and returns where the app sends the browser: X's consent page.
    public static async Task<Uri> StartAsync(BrowserClient user, string pagePath = "/app/channels", string button = "#connect-x")
    {
        var page = await user.GetDocumentAsync(pagePath);
        using var response = await user.WithoutRedirects().SubmitAsync(page, button);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    public static string StateOf(Uri authorizeUrl) => QueryHelpers.ParseQuery(authorizeUrl.Query)["state"].ToString();

    // What X's redirect back does, and the page the browser lands on.
    public static async Task<IDocument> CallbackAsync(BrowserClient user, IDictionary<string, string?> query)
    {
        using var response = await user.GetAsync(QueryHelpers.AddQueryString(CallbackPath, query));
        Assert.Equal("/app/channels", response.RequestMessage!.RequestUri!.AbsolutePath);
        return await HtmlForms.ParseAsync(response);
    }

    public static async Task<IDocument> ConnectAsync(BrowserClient user, string code = "auth-code-1")
    {
        var authorize = await StartAsync(user);
        return await CallbackAsync(user, new Dictionary<string, string?> { ["code"] = code, ["state"] = StateOf(authorize) });
    }

    public static string? Flash(IDocument page) => page.QuerySelector(".flash-success, .flash-error")?.TextContent.Trim();

    public static string? StateBadge(IDocument page, string handle) =>
        page.QuerySelector($"li.channel[data-handle='{handle}'] [data-state]")?.GetAttribute("data-state");
}
