using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;
using Sosyabot.Web.Identity;

namespace Sosyabot.Tests.Identity;

// Low limits, and requests that say which client IP they come from (X-Test-Client-Ip), so that an attacker and
// their victim can be told apart inside one test server.
public sealed class AppWithLowSignInLimits : SosyabotAppFactory
{
    public const string ClientIpHeader = "X-Test-Client-Ip";

    public CountingPasswordHasher Hasher { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["SIGNIN_FAILURES_PER_ACCOUNT"] = "3",
        ["SIGNIN_FAILURES_PER_IP"] = "8",
        ["REGISTRATIONS_PER_HOUR"] = "3",
        ["API_AUTH_FAILURES_PER_IP"] = "3",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new ClientIpFromHeader());
            services.AddScoped<IPasswordHasher<AppUser>>(_ => Hasher);
        });
    }

    public BrowserClient ClientFrom(string ip)
    {
        var client = CreateBrowserClient();
        client.DefaultRequestHeaders.Add(ClientIpHeader, ip);
        return client;
    }

    private sealed class ClientIpFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientIpHeader], out var ip))
                {
                    context.Connection.RemoteIpAddress = ip;
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

// Identity's own hasher, counting how often a password is checked.
public sealed class CountingPasswordHasher : IPasswordHasher<AppUser>
{
    private readonly PasswordHasher<AppUser> _inner = new();
    private int _verifications;

    public int Verifications => _verifications;

    public string HashPassword(AppUser user, string password) => _inner.HashPassword(user, password);

    public PasswordVerificationResult VerifyHashedPassword(AppUser user, string hashedPassword, string providedPassword)
    {
        Interlocked.Increment(ref _verifications);
        return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
    }
}

public sealed class SignInHardeningTests(AppWithLowSignInLimits app) : IClassFixture<AppWithLowSignInLimits>
{
    private const string Password = "a-long-enough-password";

    [Fact]
    public async Task Login_WrongPasswordsPastTheLimit_Answers429WithRetryAfter()
    {
        var email = await NewAccountAsync();
        var attacker = app.ClientFrom("203.0.113.10");
        for (var i = 0; i < 3; i++)
        {
            using var failed = await attacker.SubmitLoginAsync("/account/login", email, "wrong-password-" + i);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode);
        }

        using var throttled = await attacker.SubmitLoginAsync("/account/login", email, Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(int.Parse(throttled.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) > 0);
        var page = await HtmlForms.ParseAsync(throttled);
        Assert.Contains("Too many failed sign-ins", page.QuerySelector(".flash-error")!.TextContent);
        Assert.Null(page.QuerySelector("form[action='/account/logout']"));
        Assert.Contains(app.Logs.Lines, l => l.StartsWith("Sign-in throttled for \"203.0.113.10\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Login_AttackerFailsTheVictimsPasswordManyTimes_VictimStillSignsIn()
    {
        var victimEmail = await NewAccountAsync();
        var attacker = app.ClientFrom("198.51.100.66");
        var attempts = 0;
        for (var i = 0; i < 12; i++)
        {
            using var response = await attacker.SubmitLoginAsync("/account/login", victimEmail, "guess-" + i);
            attempts += response.RequestMessage!.RequestUri!.AbsolutePath == "/app/channels" ? 100 : 1;
        }
        Assert.Equal(12, attempts);

        var victim = app.ClientFrom("192.0.2.44");
        using var signedIn = await victim.SubmitLoginAsync("/account/login", victimEmail, Password);

        Assert.Equal("/app/channels", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        await using var db = app.Database.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == victimEmail);
        Assert.Null(user.LockoutEnd);
    }

    [Fact]
    public async Task Login_UnknownAccountAndWrongPassword_SamePage()
    {
        var email = await NewAccountAsync();
        var unknown = "nobody-" + email;

        using var wrongPassword = await app.ClientFrom("203.0.113.21").SubmitLoginAsync("/account/login", email, "not-the-password");
        using var unknownAccount = await app.ClientFrom("203.0.113.22").SubmitLoginAsync("/account/login", unknown, "not-the-password");

        Assert.Equal(wrongPassword.StatusCode, unknownAccount.StatusCode);
        Assert.Equal(Normalized(await wrongPassword.Content.ReadAsStringAsync(), email),
            Normalized(await unknownAccount.Content.ReadAsStringAsync(), unknown));
        Assert.Equal(LoginModel.Refused, (await HtmlForms.ParseAsync(unknownAccount)).QuerySelector(".flash-error")!.TextContent.Trim());
    }

    [Fact]
    public async Task Login_UnknownAccount_VerifiesAPasswordHashAsAKnownOneDoes()
    {
        var email = await NewAccountAsync();
        var before = app.Hasher.Verifications;
        using (await app.ClientFrom("203.0.113.31").SubmitLoginAsync("/account/login", email, "not-the-password"))
        {
        }
        var known = app.Hasher.Verifications - before;

        before = app.Hasher.Verifications;
        using (await app.ClientFrom("203.0.113.32").SubmitLoginAsync("/account/login", "nobody-" + email, "not-the-password"))
        {
        }
        var unknown = app.Hasher.Verifications - before;

        Assert.Equal(1, known);
        Assert.Equal(known, unknown);
    }

    [Fact]
    public async Task Register_PastTheLimitFromOneIp_Answers429WithRetryAfter()
    {
        var client = app.ClientFrom("203.0.113.50");
        for (var i = 0; i < 3; i++)
        {
            using var registered = await client.SubmitRegistrationAsync("/account/register", $"burst-{Guid.NewGuid():N}@sosyabot.test");
            Assert.Equal(HttpStatusCode.OK, registered.StatusCode);
            client = app.ClientFrom("203.0.113.50");
        }

        using var refused = await client.SubmitRegistrationAsync("/account/register", $"burst-{Guid.NewGuid():N}@sosyabot.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("Too many attempts", (await HtmlForms.ParseAsync(refused)).QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Register_ExistingEmail_DoesNotSayItIsTaken()
    {
        var email = await NewAccountAsync();

        using var response = await app.ClientFrom("203.0.113.60").SubmitRegistrationAsync("/account/register", email.ToUpperInvariant());

        var error = (await HtmlForms.ParseAsync(response)).QuerySelector(".flash-error")!.TextContent;
        Assert.Contains(RegisterModel.EmailUnavailable, error);
        Assert.DoesNotContain("taken", error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Api_FailedAuthenticationsPastTheLimit_Answers429WithRetryAfter()
    {
        using var agent = app.CreateClient();
        agent.DefaultRequestHeaders.Add(AppWithLowSignInLimits.ClientIpHeader, "203.0.113.70");
        agent.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sbt_not-a-real-token");
        for (var i = 0; i < 3; i++)
        {
            using var unauthorized = await agent.GetAsync("/api/v1/channels");
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        using var throttled = await agent.GetAsync("/api/v1/channels");

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.True(throttled.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", throttled.Content.Headers.ContentType!.MediaType);
        Assert.Contains("Too many failed authentications", await throttled.Content.ReadAsStringAsync());
        // Another address is not affected.
        agent.DefaultRequestHeaders.Remove(AppWithLowSignInLimits.ClientIpHeader);
        agent.DefaultRequestHeaders.Add(AppWithLowSignInLimits.ClientIpHeader, "203.0.113.71");
        using var other = await agent.GetAsync("/api/v1/channels");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
    }

    [Fact]
    public async Task Logs_SignInAttempts_NameTheUserIdAndNeverThePassword()
    {
        var email = await NewAccountAsync();
        var wrong = "wrong-" + Guid.NewGuid().ToString("N");

        using (await app.ClientFrom("203.0.113.80").SubmitLoginAsync("/account/login", email, wrong))
        {
        }
        using (await app.ClientFrom("203.0.113.80").SubmitLoginAsync("/account/login", email, Password))
        {
        }

        await using var db = app.Database.CreateDbContext();
        var id = (await db.Users.SingleAsync(u => u.Email == email)).Id;
        Assert.Contains(app.Logs.Lines,
            l => l.StartsWith($"Sign-in failed for user \"{id}\" from \"203.0.113.80\": \"wrong password\"", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, l => l.StartsWith($"Sign-in succeeded for user \"{id}\" from \"203.0.113.80\"", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(wrong, StringComparison.Ordinal) || l.Contains(Password, StringComparison.Ordinal));
    }

    private async Task<string> NewAccountAsync()
    {
        var email = $"hardening-{Guid.NewGuid():N}@sosyabot.test";
        using var registered = await app.ClientFrom($"10.1.{Random.Shared.Next(0, 255)}.{Random.Shared.Next(1, 255)}")
            .SubmitRegistrationAsync("/account/register", email, Password);
        Assert.Equal("/app/channels", registered.RequestMessage!.RequestUri!.AbsolutePath);
        return email;
    }

    // The page without what differs by design: the antiforgery token and the email typed into the form.
    private static string Normalized(string html, string email) =>
        Regex.Replace(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"[^\"]*\"", "")
            .Replace(email, "EMAIL", StringComparison.Ordinal);
}
