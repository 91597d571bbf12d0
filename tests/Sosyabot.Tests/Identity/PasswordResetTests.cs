using System.Text.RegularExpressions;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Identity;

// Reset by mail through a real SMTP conversation: MailKit in the app, a local SMTP server in the test.
public sealed partial class PasswordResetTests(AppWithMail app) : IClassFixture<AppWithMail>
{
    [Fact]
    public async Task ForgotPassword_KnownEmail_MailsALinkThatSetsANewPasswordOnce()
    {
        var email = NewEmail();
        var session = await app.RegisterAsync(email);

        var answer = await RequestResetAsync(email);
        Assert.Contains($"If an account uses {email}, a link to reset its password is on its way there.", answer);

        var mail = await app.Smtp.WaitForMessageToAsync(email);
        Assert.Equal("Reset your Sosyabot password", mail.Subject);
        Assert.Equal("sosyabot@sosyabot.example.test", mail.From.Mailboxes.Single().Address);
        var link = LinkIn(mail.TextBody);
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains(new Uri(link).Query, StringComparison.Ordinal));

        var person = app.CreateBrowserClient();
        await AccountSessionTests.SetPasswordThroughLinkAsync(person, link, "chosen-from-the-mail");
        await app.LogInAsync(email, "chosen-from-the-mail");
        Assert.Equal("/account/login", await AccountSessionTests.LandingPathAsync(session, "/app/channels"));
        using var old = await app.CreateBrowserClient().SubmitLoginAsync("/account/login", email, "a-long-enough-password");
        Assert.Contains("Email or password is incorrect.", (await HtmlForms.ParseAsync(old)).QuerySelector(".flash-error")!.TextContent);

        var again = await person.GetDocumentAsync(AccountSessionTests.LocalPart(link));
        Assert.Contains("not valid any more", again.QuerySelector("#invalid-link")!.TextContent);
        Assert.Contains(app.Logs.Lines, line => line.Contains("reset their password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForgotPassword_UnknownEmail_SameAnswerAndNoMail()
    {
        var unknown = NewEmail();
        var known = NewEmail();
        await app.RegisterAsync(known);

        var unknownAnswer = await RequestResetAsync(unknown);
        var knownAnswer = await RequestResetAsync(known);

        Assert.Equal(knownAnswer.Replace(known, "ADDRESS", StringComparison.Ordinal), unknownAnswer.Replace(unknown, "ADDRESS", StringComparison.Ordinal));
        // Mail leaves in request order, so once the second request's mail is in, the first one's would be too.
        await app.Smtp.WaitForMessageToAsync(known);
        Assert.Empty(app.Smtp.ReceivedFor(unknown));
    }

    [Fact]
    public async Task ResetLink_OlderThanADay_IsRefused()
    {
        var email = NewEmail();
        await app.RegisterAsync(email);
        await RequestResetAsync(email);
        var link = LinkIn((await app.Smtp.WaitForMessageToAsync(email)).TextBody);

        app.Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));

        var client = app.CreateBrowserClient();
        var page = await client.GetDocumentAsync(AccountSessionTests.LocalPart(link));
        Assert.Contains("not valid any more", page.QuerySelector("#invalid-link")!.TextContent);
        await app.LogInAsync(email, "a-long-enough-password");
    }

    [Fact]
    public async Task ResetLink_WithinTheDay_StillWorks()
    {
        var email = NewEmail();
        await app.RegisterAsync(email);
        await RequestResetAsync(email);
        var link = LinkIn((await app.Smtp.WaitForMessageToAsync(email)).TextBody);

        app.Clock.Advance(TimeSpan.FromHours(23));

        await AccountSessionTests.SetPasswordThroughLinkAsync(app.CreateBrowserClient(), link, "chosen-a-day-later");
        await app.LogInAsync(email, "chosen-a-day-later");
    }

    private async Task<string> RequestResetAsync(string email)
    {
        var client = app.CreateBrowserClient();
        var login = await client.GetDocumentAsync("/account/login");
        var forgot = await client.GetDocumentAsync(login.QuerySelector("a[href='/account/forgot-password']")!.GetAttribute("href")!);
        using var response = await client.SubmitAsync(forgot, "#send-reset", new Dictionary<string, string> { ["Input.Email"] = email });
        return (await HtmlForms.ParseAsync(response)).QuerySelector("#sent")!.TextContent;
    }

    private static string LinkIn(string? body) => LinkPattern().Match(body ?? "") is { Success: true } match
        ? match.Value
        : throw new InvalidOperationException("No reset link in the mail: " + body);

    [GeneratedRegex(@"https://sosyabot\.example\.test/account/reset-password\?\S+")]
    private static partial Regex LinkPattern();

    private static string NewEmail() => $"reset-{Guid.NewGuid():N}@sosyabot.test";
}
