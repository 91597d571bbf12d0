using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

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
    SosyabotDbContext db, IMemberChannels channels, TimeProvider time, ILogger<WorkspaceMemberships> logger)
{
    public async Task<Departure> LeaveAsync(WorkspaceContext caller, bool keepChannels, CancellationToken cancellationToken)
    {
        if (caller.Role == WorkspaceRole.Owner && await OwnersAsync(caller.WorkspaceId, cancellationToken) <= 1)
        {
            throw new MembershipException(
                $"You are the last owner of {caller.Workspace.Name}, so you cannot leave it: make another member an owner first.");
        }
        return await DepartAsync(caller.WorkspaceId, caller.UserId, keepChannels, cancellationToken);
    }

    public async Task<Departure> RemoveAsync(WorkspaceContext caller, string userId, bool keepChannels, CancellationToken cancellationToken)
    {
        var member = await db.WorkspaceMembers.AsNoTracking()
            .SingleOrDefaultAsync(m => m.WorkspaceId == caller.WorkspaceId && m.UserId == userId, cancellationToken)
            ?? throw new KeyNotFoundException();
        if (userId == caller.UserId)
        {
            throw new MembershipException("To leave the workspace yourself, use Leave this workspace.");
        }
        if (!WorkspacePermissions.MayManageRole(caller.Role, member.Role))
        {
            throw new MembershipException($"Only an owner can remove {(member.Role == WorkspaceRole.Owner ? "an owner" : "an admin")}.");
        }
        return await DepartAsync(caller.WorkspaceId, userId, keepChannels, cancellationToken);
    }

    public async Task<string?> ChangeRoleAsync(WorkspaceContext caller, string userId, WorkspaceRole role, CancellationToken cancellationToken)
    {
        var member = await db.WorkspaceMembers.Include(m => m.User)
            .SingleOrDefaultAsync(m => m.WorkspaceId == caller.WorkspaceId && m.UserId == userId, cancellationToken)
            ?? throw new KeyNotFoundException();
        if (!WorkspacePermissions.MayManageRole(caller.Role, member.Role) || !WorkspacePermissions.MayManageRole(caller.Role, role))
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
    }

    private Task<int> OwnersAsync(Guid workspaceId, CancellationToken cancellationToken) =>
        db.WorkspaceMembers.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Owner, cancellationToken);

    private async Task<Departure> DepartAsync(Guid workspaceId, string userId, bool keepChannels, CancellationToken cancellationToken)
    {
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
        // Membership goes first, so that nothing the member starts from here on acts in the workspace.
        await db.WorkspaceMembers.Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        // Tokens they made would otherwise keep acting for the workspace after they left it.
        var revoked = await db.ApiTokens
            .Where(t => t.WorkspaceId == workspaceId && t.CreatedByUserId == userId && t.RevokedAt == null)
            .ExecuteUpdateAsync(update => update.SetProperty(t => t.RevokedAt, time.GetUtcNow()), cancellationToken);
        IReadOnlyList<string> disconnected = keepChannels ? [] : await channels.DisconnectConnectedByAsync(workspaceId, userId, cancellationToken);
        LogDeparted(logger, userId, workspaceId, disconnected.Count, revoked);
        return new Departure(email, disconnected, revoked);
    }

    [LoggerMessage(LogLevel.Information, "User {UserId} left workspace {WorkspaceId}: {Channels} channel(s) disconnected, {Tokens} token(s) revoked")]
    private static partial void LogDeparted(ILogger logger, string userId, Guid workspaceId, int channels, int tokens);
}
