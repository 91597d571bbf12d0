namespace Sosyabot.Tests.Infrastructure;

public static class Accounts
{
    public static async Task<BrowserClient> LogInAsync(this SosyabotAppFactory app, string email, string password)
    {
        var client = app.CreateBrowserClient();
        using var response = await client.SubmitLoginAsync("/account/login", email, password);
        var landed = await HtmlForms.ParseAsync(response);
        Assert.True(landed.QuerySelector("form[action='/account/login']") is null && response.RequestMessage!.RequestUri!.AbsolutePath == "/app/channels",
            $"Logging in as {email} failed: {landed.QuerySelector(".flash-error")?.TextContent}");
        return client;
    }

    public static async Task<HttpResponseMessage> SubmitLoginAsync(this HttpClient client, string loginUrl, string email, string password)
    {
        var login = await client.GetDocumentAsync(loginUrl);
        return await client.SubmitAsync(login, "#login", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }

    public static Task<BrowserClient> LogInAsAdminAsync(this SosyabotAppFactory app) =>
        app.LogInAsync(SosyabotAppFactory.AdminEmail, SosyabotAppFactory.AdminPassword);

    // Registers through the real form and returns a client signed in as the new account.
    public static async Task<BrowserClient> RegisterAsync(this SosyabotAppFactory app, string email, string password = "a-long-enough-password")
    {
        var client = app.CreateBrowserClient();
        var register = await client.GetDocumentAsync("/account/register");
        using var response = await client.SubmitAsync(register, "#register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal("/app/channels", response.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }
}
