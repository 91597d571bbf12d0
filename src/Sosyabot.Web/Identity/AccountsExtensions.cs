using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

public static class AccountsExtensions
{
    public const string LoginPolicy = "login";
    public const string RegisterPolicy = "register";

    public static WebApplicationBuilder AddAccounts(this WebApplicationBuilder builder)
    {
        builder.Services
            .AddIdentity<AppUser, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Length over composition rules, as NIST SP 800-63B recommends.
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                // No account lockout: anyone who knows an email could lock its owner out. Failed sign-ins are
                // throttled per IP and per IP + account instead (SignInThrottle).
                options.Lockout.AllowedForNewUsers = false;
                options.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            })
            .AddEntityFrameworkStores<SosyabotDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName);

        // Every request checks the cookie's security stamp against the account's, so logging out, changing or resetting
        // the password, turning 2FA on or off, "sign out everywhere" and an admin disabling the account end every other session at once: a copied
        // sosyabot.auth cookie stops working on its next request. The price is one lookup of the account per request.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);

        builder.Services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "sosyabot.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = "/account/login";
            options.LogoutPath = "/account/logout";
            options.Events.OnRedirectToAccessDenied = context =>
            {
                // A signed-in user who may not see a page gets a plain 403 (rendered by the error page),
                // not a redirect that hides the status from scripts and tests.
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
            options.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }
                else
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                return Task.CompletedTask;
            };
        });

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.InstanceAdminPolicy, policy => policy.RequireRole(Roles.InstanceAdmin));

        builder.Services.AddScoped<InstanceAdmins>();
        builder.Services.AddScoped<PasswordResetLinks>();
        builder.Services.AddSingleton<AccountEvents>();
        builder.Services.AddSingleton<AccessRevocations>();
        builder.Services.AddScoped<RegistrationSettings>();
        builder.Services.AddOptions<AdminBootstrapOptions>().Bind(builder.Configuration);
        builder.Services.AddHostedService<AdminBootstrapper>();
        builder.Services.AddHostedService<SetupTokenAnnouncer>();

        builder.Services.AddOptions<SignInLimitOptions>().Bind(builder.Configuration).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddRateLimiter(options =>
        {
            // Form posts only: showing the page costs nothing and must stay reachable to show the wait.
            options.AddPolicy(LoginPolicy, context => PostsPerIp(context, limits => (limits.RequestsPerMinute, TimeSpan.FromMinutes(1))));
            options.AddPolicy(RegisterPolicy, context => PostsPerIp(context, limits => (limits.RegistrationsPerHour, TimeSpan.FromHours(1))));
        });
        return builder;
    }

    private static RateLimitPartition<string> PostsPerIp(HttpContext context, Func<SignInLimitOptions, (int Permits, TimeSpan Window)> limit)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return RateLimitPartition.GetNoLimiter("");
        }
        var (permits, window) = limit(context.RequestServices.GetRequiredService<IOptions<SignInLimitOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(FailureCounter.ClientIp(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
        });
    }
}
