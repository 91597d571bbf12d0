using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Identity;

public static class AccountsExtensions
{
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
                options.Lockout.MaxFailedAccessAttempts = 10;
                options.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            })
            .AddEntityFrameworkStores<SosyabotDbContext>()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName);

        // Every request checks the cookie's security stamp against the account's, so logging out, changing or resetting
        // the password, turning 2FA on or off and "sign out everywhere" end every other session at once: a copied
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
        builder.Services.AddOptions<AdminBootstrapOptions>().Bind(builder.Configuration);
        builder.Services.AddHostedService<AdminBootstrapper>();
        return builder;
    }
}
