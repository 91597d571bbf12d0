using AngleSharp.Html.Parser;
using Sosyabot.XSandbox;

namespace Sosyabot.Bench;

/// <summary>What the benchmark does as a person in the browser: register, connect channels, create a token.</summary>
internal static class Person
{
    public static async Task RegisterAsync(HttpClient person, string email)
    {
        var token = await AntiforgeryAsync(person, "/account/register");
        using var response = await person.PostAsync("/account/register", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["Input.Email"] = email, ["Input.Password"] = "a-long-enough-password", ["Input.ConfirmPassword"] = "a-long-enough-password",
        }));
        response.EnsureSuccessStatusCode();
    }

    public static async Task<Guid> ConnectKeysAsync(HttpClient person, SandboxAccount account)
    {
        var token = await AntiforgeryAsync(person, "/app/channels");
        using var response = await person.PostAsync("/app/channels?handler=ConnectApiKeys", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["ApiKeys.ApiKey"] = SandboxAuth.ConsumerKey, ["ApiKeys.ApiSecret"] = SandboxAuth.ConsumerSecret,
            ["ApiKeys.BearerToken"] = SandboxAuth.AppBearerToken, ["ApiKeys.AccessToken"] = account.AccessToken, ["ApiKeys.AccessTokenSecret"] = account.AccessTokenSecret,
        }));
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var link = page.QuerySelector($"li.channel[data-handle='{account.Username}'] a.handle")?.GetAttribute("href")
            ?? throw new InvalidOperationException($"Connecting @{account.Username} failed: {page.QuerySelector(".flash-error")?.TextContent}");
        return Guid.Parse(link.Split('/')[^1]);
    }

    public static async Task<string> CreateTokenAsync(HttpClient person)
    {
        var token = await AntiforgeryAsync(person, "/app/settings/api-tokens");
        using var response = await person.PostAsync("/app/settings/api-tokens?handler=Create", new FormUrlEncodedContent(
        [
            new("__RequestVerificationToken", token), new("Input.Name", "bench"), new("Input.Scopes", "read"), new("Input.Scopes", "write"),
        ]));
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return page.QuerySelector("#token-secret")!.GetAttribute("value")!;
    }

    private static async Task<string> AntiforgeryAsync(HttpClient client, string path)
    {
        var page = new HtmlParser().ParseDocument(await client.GetStringAsync(path));
        return page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
    }
}
