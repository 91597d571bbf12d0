using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Identity;

// Decides who becomes the instance admin: ADMIN_EMAIL at boot, or the account registered with the one-time setup
// token that an unclaimed instance prints to its log. Never simply the first visitor.
public sealed partial class InstanceAdmins(SosyabotDbContext db, UserManager<AppUser> users, TimeProvider time, ILogger<InstanceAdmins> logger)
{
    // Any constant works; it only has to be the same on every node so that two registrations (or two
    // booting nodes) cannot both see "no admin yet" and both become admin.
    private const long AdminElectionLockKey = 0x5059_4142_4F54_0001;

    // One options row per issued token (each node prints its own at boot), holding only the token's SHA-256.
    private const string SetupTokenKeyPrefix = "identity.setup_token.";

    public Task<bool> AnyAsync(CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(r => r.RoleId == Roles.InstanceAdminRole.Id, cancellationToken);

    public Task<bool> IsAdminAsync(string userId, CancellationToken cancellationToken) =>
        db.UserRoles.AnyAsync(r => r.UserId == userId && r.RoleId == Roles.InstanceAdminRole.Id, cancellationToken);

    public async Task<bool> PromoteIfNoneAsync(AppUser user, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(cancellationToken);
        if (await AnyAsync(cancellationToken))
        {
            return false;
        }
        await AddAdminRoleAsync(user);
        await transaction.CommitAsync(cancellationToken);
        LogPromoted(logger, user.Id);
        return true;
    }

    // A new setup token when the instance has no admin, or null when it has one (and any old tokens are dropped).
    public async Task<string?> IssueSetupTokenAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(cancellationToken);
        if (await AnyAsync(cancellationToken))
        {
            await SetupTokenRows().ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return null;
        }
        var token = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var hash = Hash(token);
        db.Options.Add(new OptionEntry { Key = SetupTokenKeyPrefix + hash[..32], Value = hash, UpdatedAt = time.GetUtcNow(), UpdatedBy = "setup" });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    // Whether this token would claim the instance now (shown on the register page before the form is sent).
    public async Task<bool> SetupTokenValidAsync(string? token, CancellationToken cancellationToken) =>
        !string.IsNullOrEmpty(token) && await MatchesAsync(token, cancellationToken) && !await AnyAsync(cancellationToken);

    // Creates the account and makes it instance admin in one transaction, under the election lock: of two
    // registrations with the same token exactly one succeeds, and the token dies with it.
    public async Task<SetupClaim> ClaimWithSetupTokenAsync(AppUser user, string password, string token, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await LockAsync(cancellationToken);
        if (await AnyAsync(cancellationToken) || !await MatchesAsync(token, cancellationToken))
        {
            return new SetupClaim(false, null);
        }
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return new SetupClaim(true, created);
        }
        await AddAdminRoleAsync(user);
        await SetupTokenRows().ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogPromoted(logger, user.Id);
        return new SetupClaim(true, created);
    }

    public static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));

    private Task<int> LockAsync(CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({AdminElectionLockKey})", cancellationToken);

    private async Task AddAdminRoleAsync(AppUser user)
    {
        var result = await users.AddToRoleAsync(user, Roles.InstanceAdmin);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Could not make the account instance admin: " + Describe(result));
        }
    }

    private Task<bool> MatchesAsync(string token, CancellationToken cancellationToken)
    {
        var hash = Hash(token);
        var key = SetupTokenKeyPrefix + hash[..32];
        return db.Options.AnyAsync(o => o.Key == key && o.Value == hash, cancellationToken);
    }

    private IQueryable<OptionEntry> SetupTokenRows() => db.Options.Where(o => o.Key.StartsWith(SetupTokenKeyPrefix));

    // The token is 256 random bits, so a plain hash is enough: nothing to guess, nothing for a dump to reverse.
    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    [LoggerMessage(LogLevel.Information, "User {UserId} is now the instance admin")]
    private static partial void LogPromoted(ILogger logger, string userId);
}

// TokenAccepted false: the token was not valid (used, from another database, or the instance has an admin).
// Otherwise Result says whether the account was created (and so made admin).
public sealed record SetupClaim(bool TokenAccepted, IdentityResult? Result);
