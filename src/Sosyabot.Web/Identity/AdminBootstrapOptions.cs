namespace Sosyabot.Web.Identity;

public sealed class AdminBootstrapOptions
{
    [ConfigurationKeyName("ADMIN_EMAIL")]
    public string? Email { get; set; }

    [ConfigurationKeyName("ADMIN_PASSWORD")]
    public string? Password { get; set; }
}

// Creates the instance admin named by ADMIN_EMAIL/ADMIN_PASSWORD when there is none yet.
internal sealed partial class AdminBootstrapper(
    IServiceScopeFactory scopes,
    Microsoft.Extensions.Options.IOptions<AdminBootstrapOptions> options,
    ILogger<AdminBootstrapper> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (email, password) = (options.Value.Email, options.Value.Password);
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password))
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var admins = scope.ServiceProvider.GetRequiredService<InstanceAdmins>();
        if (await admins.AnyAsync(cancellationToken))
        {
            return;
        }

        var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new AppUser { UserName = email, Email = email, EmailConfirmed = true };
            var created = await users.CreateAsync(user, password);
            if (!created.Succeeded)
            {
                throw new InvalidOperationException($"ADMIN_EMAIL/ADMIN_PASSWORD could not create the instance admin: {InstanceAdmins.Describe(created)}");
            }
            foreach (var listener in scope.ServiceProvider.GetServices<INewAccountListener>())
            {
                await listener.AccountCreatedAsync(user, cancellationToken);
            }
        }
        if (await admins.PromoteIfNoneAsync(user, cancellationToken))
        {
            LogCreated(logger, email);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Instance admin {Email} set up from ADMIN_EMAIL")]
    private static partial void LogCreated(ILogger logger, string email);
}
