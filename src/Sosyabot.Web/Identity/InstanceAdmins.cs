using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Identity;

// Decides who becomes the instance admin: the first account, or ADMIN_EMAIL at boot.
public sealed partial class InstanceAdmins(SosyabotDbContext db, UserManager<AppUser> users, ILogger<InstanceAdmins> logger)
{
    // Any constant works; it only has to be the same on every node so that two registrations (or two
    // booting nodes) cannot both see "no admin yet" and both become admin.
    private const long AdminElectionLockKey = 0x5059_4142_4F54_0001;

    public Task<bool> AnyAsync(CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(r => r.RoleId == Roles.InstanceAdminRole.Id, cancellationToken);

    public async Task<bool> PromoteIfNoneAsync(AppUser user, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdminElectionLockKey})", cancellationToken);
        if (await AnyAsync(cancellationToken))
        {
            return false;
        }
        var result = await users.AddToRoleAsync(user, Roles.InstanceAdmin);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not make the first account instance admin: " + Describe(result));
        }
        await transaction.CommitAsync(cancellationToken);
        LogPromoted(logger, user.Id);
        return true;
    }

    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    [LoggerMessage(LogLevel.Information, "User {UserId} is now the instance admin")]
    private static partial void LogPromoted(ILogger logger, string userId);
}
