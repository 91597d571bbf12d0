using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

// Channels implements this: what leaving or being removed does to the X accounts a member connected.
public interface IMemberChannels
{
    // Disconnects (revoking at X, as the channel page's Disconnect does) every channel of the workspace this user
    // connected, and returns their handles.
    Task<IReadOnlyList<string>> DisconnectConnectedByAsync(Guid workspaceId, string userId, CancellationToken cancellationToken);
}

public sealed record Departure(string? Email, IReadOnlyList<string> DisconnectedHandles, int RevokedTokens);

// Members leaving, being removed and changing roles, with the rules that keep a workspace owned.
public sealed partial class WorkspaceMemberships(
    SosyabotDbContext db, IMemberChannels channels, AccessRevocations revocations, TimeProvider time, ILogger<WorkspaceMemberships> logger)
{
    public async Task<Departure> LeaveAsync(WorkspaceContext caller, bool keepChannels, CancellationToken cancellationToken)
    {
        var (email, revoked) = await WithOwnersLockedAsync(caller.WorkspaceId, async () =>
        {
            var role = await CurrentRoleAsync(caller.WorkspaceId, caller.UserId, cancellationToken) ?? throw new KeyNotFoundException();
            if (role == WorkspaceRole.Owner && await OwnersAsync(caller.WorkspaceId, cancellationToken) <= 1)
            {
                throw new MembershipException(
                    $"You are the last owner of {caller.Workspace.Name}, so you cannot leave it: make another member an owner first.");
            }
            return await EndMembershipAsync(caller.WorkspaceId, caller.UserId, cancellationToken);
        }, cancellationToken);
        return await DisconnectAsync(caller.WorkspaceId, caller.UserId, email, revoked, keepChannels, cancellationToken);
    }

    public async Task<Departure> RemoveAsync(WorkspaceContext caller, string userId, bool keepChannels, CancellationToken cancellationToken)
    {
        if (userId == caller.UserId)
        {
            throw new MembershipException("To leave the workspace yourself, use Leave this workspace.");
        }
        var (email, revoked) = await WithOwnersLockedAsync(caller.WorkspaceId, async () =>
        {
            var memberRole = await CurrentRoleAsync(caller.WorkspaceId, userId, cancellationToken) ?? throw new KeyNotFoundException();
            // The caller's role as it stands now, under the lock: two owners removing each other at the same moment must not both succeed.
            var callerRole = await CurrentRoleAsync(caller.WorkspaceId, caller.UserId, cancellationToken);
            if (callerRole is not { } actingRole || !WorkspacePermissions.MayManageRole(actingRole, memberRole))
            {
                throw new MembershipException($"Only an owner can remove {(memberRole == WorkspaceRole.Owner ? "an owner" : "an admin")}.");
            }
            return await EndMembershipAsync(caller.WorkspaceId, userId, cancellationToken);
        }, cancellationToken);
        return await DisconnectAsync(caller.WorkspaceId, userId, email, revoked, keepChannels, cancellationToken);
    }

    public Task<string?> ChangeRoleAsync(WorkspaceContext caller, string userId, WorkspaceRole role, CancellationToken cancellationToken) =>
        WithOwnersLockedAsync(caller.WorkspaceId, async () =>
        {
            var member = await db.WorkspaceMembers.Include(m => m.User)
                .SingleOrDefaultAsync(m => m.WorkspaceId == caller.WorkspaceId && m.UserId == userId, cancellationToken)
                ?? throw new KeyNotFoundException();
            var callerRole = userId == caller.UserId ? member.Role : await CurrentRoleAsync(caller.WorkspaceId, caller.UserId, cancellationToken);
            if (callerRole is not { } actingRole
                || !WorkspacePermissions.MayManageRole(actingRole, member.Role) || !WorkspacePermissions.MayManageRole(actingRole, role))
            {
                throw new MembershipException("Only an owner can give or take away the owner and admin roles.");
            }
            if (member.Role == WorkspaceRole.Owner && role != WorkspaceRole.Owner && await OwnersAsync(caller.WorkspaceId, cancellationToken) <= 1)
            {
                throw new MembershipException($"{member.User.Email} is the last owner of {caller.Workspace.Name}: make another member an owner first.");
            }
            member.Role = role;
            await db.SaveChangesAsync(cancellationToken);
            return member.User.Email;
        }, cancellationToken);

    // Every change that can take an owner away runs here: the owner count and the change are read and made in one transaction
    // that holds the workspace's owners lock, so two owners acting at the same moment cannot leave the workspace without one.
    private async Task<T> WithOwnersLockedAsync<T>(Guid workspaceId, Func<Task<T>> change, CancellationToken cancellationToken)
    {
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.Database.ExecuteSqlAsync(
                $"SELECT pg_advisory_xact_lock(hashtextextended({"workspace-owners:" + workspaceId.ToString("N")}, 0))", cancellationToken);
            var result = await change();
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            // A member left, was removed or has another role (or a commit's outcome is unknown): what their tokens may do
            // is read again. Recording when nothing changed costs only a read.
            revocations.Record();
        }
    }

    private Task<WorkspaceRole?> CurrentRoleAsync(Guid workspaceId, string userId, CancellationToken cancellationToken) =>
        db.WorkspaceMembers.Where(m => m.WorkspaceId == workspaceId && m.UserId == userId)
            .Select(m => (WorkspaceRole?)m.Role).SingleOrDefaultAsync(cancellationToken);

    private Task<int> OwnersAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.WorkspaceMembers.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Owner, cancellationToken);

    private async Task<(string? Email, int RevokedTokens)> EndMembershipAsync(Guid workspaceId, string userId, CancellationToken cancellationToken)
    {
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        // Membership goes first, so that nothing the member starts from here on acts in the workspace.
        await db.WorkspaceMembers.Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Tokens they made would otherwise keep acting for the workspace after they left it.
        var revoked = await db.ApiTokens
            .Where(t => t.WorkspaceId == workspaceId && t.CreatedByUserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(update => update.SetProperty(t => t.RevokedAt, time.GetUtcNow()), cancellationToken);
        return (email, revoked);
    }

    // Outside the owners lock: revoking at X is a network call, and the membership has already ended.
    private async Task<Departure> DisconnectAsync(
        Guid workspaceId, string userId, string? email, int revoked, bool keepChannels, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> disconnected = keepChannels ? [] : await channels.DisconnectConnectedByAsync(workspaceId, userId, cancellationToken);
        LogDeparted(logger, userId, workspaceId, disconnected.Count, revoked);
        return new Departure(email, disconnected, revoked);
    }

    [LoggerMessage(LogLevel.Information, "User {UserId} left workspace {WorkspaceId}: {Channels} channel(s) disconnected, {Tokens} token(s) revoked")]
    private static partial void LogDeparted(ILogger logger, string userId, Guid workspaceId, int channels, int tokens);
}
