using AngleSharp.Dom;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Admin;

// What an admin does on /admin/api-integration/x-twitter, through the real forms.
internal static class XTwitterAdminPage
{
    public const string Path = "/admin/api-integration/x-twitter";

    internal static async Task SaveAsync(HttpClient admin, string clientId, string clientSecret, string status, bool longLived = false)
    {
        using var response = await SubmitSaveAsync(admin, clientId, clientSecret, status, longLived);
        var page = await HtmlForms.ParseAsync(response);
        Assert.True(page.QuerySelector(".field-error:not(:empty)") is null, page.QuerySelector(".field-error:not(:empty)")?.TextContent);
        Assert.Contains("settings saved", page.QuerySelector(".flash-success")?.TextContent);
    }

    internal static async Task<HttpResponseMessage> SubmitSaveAsync(
        HttpClient admin, string clientId, string clientSecret, string status, bool longLived = false)
    {
        var page = await admin.GetDocumentAsync(Path);
        return await admin.SubmitAsync(page, "#save", new Dictionary<string, string>
        {
            ["Input.ClientId"] = clientId,
            ["Input.ClientSecret"] = clientSecret,
            ["Input.Status"] = status,
            ["Input.LongLivedConnections"] = longLived ? "true" : "false",
        });
    }

    internal static async Task<IDocument> TestAsync(HttpClient admin)
    {
        var page = await admin.GetDocumentAsync(Path);
        using var response = await admin.SubmitAsync(page, "#test-credentials");
        return await HtmlForms.ParseAsync(response);
    }

    internal static async Task ClearAsync(HttpClient admin)
    {
        var page = await admin.GetDocumentAsync(Path);
        if (page.QuerySelector("form[action*='handler=Clear'] button") is not null)
        {
            using var _ = await admin.SubmitAsync(page, "form[action*='handler=Clear'] button");
        }
    }
}
