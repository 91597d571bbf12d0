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

    // Sets the registration mode ("open", "invite-only", "closed") as the instance admin does, on the admin page.
    public static async Task SetRegistrationModeAsync(this SosyabotAppFactory app, string mode)
    {
        var admin = await app.LogInAsAdminAsync();
        var page = await admin.GetDocumentAsync("/admin/registration");
        using var saved = await admin.SubmitAsync(page, "#save-registration", new Dictionary<string, string> { ["Mode"] = mode });
        Assert.Contains("Registration is now", (await HtmlForms.ParseAsync(saved)).QuerySelector(".flash-success")!.TextContent);
    }

    // Registers through the real form and returns a client signed in as the new account.
    public static async Task<BrowserClient> RegisterAsync(this SosyabotAppFactory app, string email, string password = "a-long-enough-password")
    {
        var client = app.CreateBrowserClient();
        using var response = await client.SubmitRegistrationAsync("/account/register", email, password);
        Assert.Equal("/app/channels", response.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }

    // Fills in the register form found at registerUrl (which may carry ?setup= or ?invite=) and sends it.
    public static async Task<HttpResponseMessage> SubmitRegistrationAsync(
        this HttpClient client, string registerUrl, string email, string password = "a-long-enough-password")
    {
        var register = await client.GetDocumentAsync(registerUrl);
        return await client.SubmitAsync(register, "#register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
            ["Input.ConfirmPassword"] = password,
        });
    }

    // The one-time setup token an unclaimed instance prints to its log at boot (the app is started if it was not).
    public static string SetupToken(this SosyabotAppFactory app)
    {
        _ = app.Services;
        var line = app.Logs.Lines.LastOrDefault(l => l.Contains("/account/register?setup=", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("The app printed no setup link: " + string.Join("\n", app.Logs.Lines.Take(20)));
        return System.Text.RegularExpressions.Regex.Match(line, "setup=([A-Za-z0-9_-]+)").Groups[1].Value;
    }
}
