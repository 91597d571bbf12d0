using AngleSharp.Dom;
using OtpNet;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// TOTP two-factor authentication as a person with an authenticator app (Otp.NET with the key the page shows) meets it.
public sealed class TwoFactorTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    private const string Password = "a-long-enough-password";

    [Fact]
    public async Task Login_TwoFactorOn_AsksForCodeRefusesWrongOneAndAcceptsTheRightOne()
    {
        var email = NewEmail();
        var (key, _) = await EnableTwoFactorAsync(await app.RegisterAsync(email));
        var client = app.CreateBrowserClient();

        using var passwordStep = await client.SubmitLoginAsync("/account/login", email, Password);
        Assert.Equal("/account/login-2fa", passwordStep.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("/account/login", await AccountSessionTests.LandingPathAsync(client, "/app/channels"));

        var codePage = await client.GetDocumentAsync("/account/login-2fa");
        using var wrong = await client.SubmitAsync(codePage, "#verify", new Dictionary<string, string> { ["Input.Code"] = WrongCode(key) });
        var refused = await HtmlForms.ParseAsync(wrong);
        Assert.Contains("That code is not right.", refused.QuerySelector(".flash-error")!.TextContent);
        Assert.Equal("/account/login", await AccountSessionTests.LandingPathAsync(client, "/app/channels"));

        using var right = await client.SubmitAsync(refused, "#verify", new Dictionary<string, string> { ["Input.Code"] = CurrentCode(key) });
        Assert.Equal("/app/channels", right.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("/app/channels", await AccountSessionTests.LandingPathAsync(client, "/app/channels"));
    }

    [Fact]
    public async Task Login_RecoveryCode_WorksOnce()
    {
        var email = NewEmail();
        var (_, codes) = await EnableTwoFactorAsync(await app.RegisterAsync(email));
        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());

        var first = app.CreateBrowserClient();
        using var used = await SignInWithRecoveryCodeAsync(first, email, codes[3]);
        Assert.Equal("/app/channels", used.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("9 recovery codes left", (await HtmlForms.ParseAsync(used)).QuerySelector(".flash-warning")!.TextContent);

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(codes[3], StringComparison.Ordinal));

        var second = app.CreateBrowserClient();
        using var reused = await SignInWithRecoveryCodeAsync(second, email, codes[3]);
        Assert.Equal("/account/login-recovery", reused.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("not valid or has already been used", (await HtmlForms.ParseAsync(reused)).QuerySelector(".flash-error")!.TextContent);
        Assert.Equal("/account/login", await AccountSessionTests.LandingPathAsync(second, "/app/channels"));
    }

    [Fact]
    public async Task EnableTwoFactor_WrongCode_StaysOff()
    {
        var client = await app.RegisterAsync(NewEmail());
        var setup = await client.GetDocumentAsync("/account/manage/two-factor/enable");
        var key = SharedKey(setup);
        Assert.StartsWith("data:image/png;base64,", setup.QuerySelector("#qr-code")!.GetAttribute("src"), StringComparison.Ordinal);

        using var response = await client.SubmitAsync(setup, "#confirm-two-factor", new Dictionary<string, string> { ["Input.Code"] = WrongCode(key) });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("That code is not right.", shown.QuerySelector(".field-error")!.TextContent);
        Assert.Null(shown.QuerySelector("#recovery-codes"));
        var manage = await client.GetDocumentAsync("/account/manage");
        Assert.Equal("Off", manage.QuerySelector("#two-factor-state")!.TextContent);
    }

    [Fact]
    public async Task DisableTwoFactor_WithPassword_SignInAsksOnlyForPassword()
    {
        var email = NewEmail();
        var client = await app.RegisterAsync(email);
        await EnableTwoFactorAsync(client);

        var disable = await client.GetDocumentAsync("/account/manage/two-factor/disable");
        using var wrong = await client.SubmitAsync(
            disable, "#confirm-disable-two-factor", new Dictionary<string, string> { ["Input.Proof"] = "not-my-password" });
        Assert.Contains("neither your password nor the current code", (await HtmlForms.ParseAsync(wrong)).QuerySelector(".flash-error")!.TextContent);
        using var response = await client.SubmitAsync(disable, "#confirm-disable-two-factor", new Dictionary<string, string> { ["Input.Proof"] = Password });

        var manage = await HtmlForms.ParseAsync(response);
        Assert.Contains("Two-factor authentication is off.", manage.QuerySelector(".flash-success")!.TextContent);
        Assert.Equal("Off", manage.QuerySelector("#two-factor-state")!.TextContent);
        await app.LogInAsync(email, Password);
    }

    [Fact]
    public async Task DisableTwoFactor_WithCurrentCode_TurnsItOff()
    {
        var client = await app.RegisterAsync(NewEmail());
        var (key, _) = await EnableTwoFactorAsync(client);

        var disable = await client.GetDocumentAsync("/account/manage/two-factor/disable");
        using var response = await client.SubmitAsync(
            disable, "#confirm-disable-two-factor", new Dictionary<string, string> { ["Input.Proof"] = CurrentCode(key) });

        Assert.Equal("Off", (await HtmlForms.ParseAsync(response)).QuerySelector("#two-factor-state")!.TextContent);
    }

    [Fact]
    public async Task LoginWith2fa_NoPasswordStepFirst_SendsBackToLogin()
    {
        var client = app.CreateBrowserClient();

        using var response = await client.GetAsync("/account/login-2fa");

        Assert.Equal("/account/login", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Log in again with your password", (await HtmlForms.ParseAsync(response)).QuerySelector(".flash-error")!.TextContent);
    }

    [Fact]
    public async Task EnableTwoFactor_OtherSessionEnds_ThisOneStays()
    {
        var email = NewEmail();
        var here = await app.RegisterAsync(email);
        var copy = AccountSessionTests.CopySession(app, here);

        await EnableTwoFactorAsync(here);

        Assert.Equal("/account/manage", await AccountSessionTests.LandingPathAsync(here, "/account/manage"));
        Assert.Equal("/account/login", await AccountSessionTests.LandingPathAsync(copy, "/account/manage"));
        Assert.Contains(app.Logs.Lines, line => line.Contains("turned on two-factor authentication", StringComparison.Ordinal));
    }

    internal static async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnableTwoFactorAsync(BrowserClient client)
    {
        var manage = await client.GetDocumentAsync("/account/manage");
        Assert.Equal("Off", manage.QuerySelector("#two-factor-state")!.TextContent);
        var setup = await client.GetDocumentAsync(manage.QuerySelector("#enable-two-factor")!.GetAttribute("href")!);
        var key = SharedKey(setup);

        using var response = await client.SubmitAsync(setup, "#confirm-two-factor", new Dictionary<string, string> { ["Input.Code"] = CurrentCode(key) });

        var shown = await HtmlForms.ParseAsync(response);
        Assert.Contains("Two-factor authentication is on.", shown.QuerySelector("#two-factor-on")!.TextContent);
        var codes = shown.QuerySelectorAll("#recovery-codes code").Select(code => code.TextContent).ToList();
        var after = await client.GetDocumentAsync("/account/manage");
        Assert.Equal("On", after.QuerySelector("#two-factor-state")!.TextContent);
        return (key, codes);
    }

    private static async Task<HttpResponseMessage> SignInWithRecoveryCodeAsync(BrowserClient client, string email, string code)
    {
        using var passwordStep = await client.SubmitLoginAsync("/account/login", email, Password);
        var codePage = await HtmlForms.ParseAsync(passwordStep);
        var recovery = await client.GetDocumentAsync(codePage.QuerySelector("a[href^='/account/login-recovery']")!.GetAttribute("href")!);
        return await client.SubmitAsync(recovery, "#recover", new Dictionary<string, string> { ["Input.Code"] = code });
    }

    private static string SharedKey(IDocument setup) =>
        setup.QuerySelector("#shared-key")!.TextContent.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();

    private static string CurrentCode(string key) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp();

    // A code that is valid in no window the server accepts: the current one, changed in every digit.
    private static string WrongCode(string key) =>
        new(CurrentCode(key).Select(digit => (char)('0' + ((digit - '0' + 5) % 10))).ToArray());

    private static string NewEmail() => $"two-factor-{Guid.NewGuid():N}@sosyabot.test";
}
