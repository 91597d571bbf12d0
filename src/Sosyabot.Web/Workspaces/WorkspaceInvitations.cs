using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

public sealed record CreatedInvitation(WorkspaceInvitation Invitation, string Link, bool ReplacedEarlier);

// How the link reaches the invitee: only by mail (the inviter never sees it), or shown to the inviter to pass on.
public enum InvitationDelivery
{
    MailOnly,
    ShownToInviter,
}

public sealed record InvitationView(WorkspaceInvitation Invitation, string WorkspaceName, string? InvitedBy);

// What a membership change or invitation could not do, in words for the person who tried.
public sealed class MembershipException(string message) : Exception(message);

// Invitations to a workspace: made by owners and admins, answered only by the account with the invited email.
public sealed partial class WorkspaceInvitations(
    SosyabotDbContext db, TimeProvider time, IOptions<SiteOptions> site, LinkGenerator links, InstanceAdmins admins,
    RegistrationSettings registration, ILogger<WorkspaceInvitations> logger)
    : IRegistrationInvitations
{
    public const string Page = "/Workspaces/Invitation";

    public async Task<CreatedInvitation> CreateAsync(
        WorkspaceContext inviter, string email, WorkspaceRole role, InvitationDelivery delivery, CancellationToken cancellationToken)
    {
        if (!WorkspacePermissions.MayManageRole(inviter.Role, role))
        {
            throw new MembershipException($"As {WorkspacePermissions.Describe(inviter.Role)} you cannot invite someone as {WorkspacePermissions.Describe(role)}.");
        }
        var normalized = WorkspaceInvitation.Normalize(email);
        if (await db.WorkspaceMembers.AnyAsync(
                m => m.WorkspaceId == inviter.WorkspaceId && m.User.NormalizedEmail == normalized, cancellationToken))
        {
            throw new MembershipException($"{email.Trim()} is already a member of {inviter.Workspace.Name}.");
        }
        var provesEmail = delivery == InvitationDelivery.MailOnly || await admins.IsAdminAsync(inviter.UserId, cancellationToken);
        if (!provesEmail
            && await registration.ModeAsync(cancellationToken) == RegistrationMode.InviteOnly
            && !await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            throw new MembershipException(
                $"No account uses {email.Trim()} yet, and registration here is by invitation only: a link you pass on by hand cannot " +
                "prove that the address is theirs, so it cannot open an account. Ask an instance admin to invite them, or to configure " +
                "mail (SMTP_HOST) so that invitations go to the address itself.");
        }
        var now = time.GetUtcNow();
        // One pending invitation per address: a new one replaces the link sent before, which stops working.
        var replaced = await db.WorkspaceInvitations
            .Where(i => i.WorkspaceId == inviter.WorkspaceId && i.NormalizedEmail == normalized
                        && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(update => update.SetProperty(i => i.RevokedAt, now), cancellationToken);
        var token = WorkspaceInvitation.NewToken();
        var invitation = new WorkspaceInvitation
        {
            WorkspaceId = inviter.WorkspaceId,
            Email = email.Trim(),
            NormalizedEmail = normalized,
            Role = role,
            TokenHash = WorkspaceInvitation.Hash(token),
            InvitedByUserId = inviter.UserId,
            CreatedAt = now,
            ExpiresAt = now + WorkspaceInvitation.Lifetime,
            ProvesEmail = provesEmail,
        };
        db.WorkspaceInvitations.Add(invitation);
        await db.SaveChangesAsync(cancellationToken);
        LogInvited(logger, invitation.Id, inviter.WorkspaceId, role);
        return new CreatedInvitation(invitation, LinkFor(token), replaced > 0);
    }

    // The absolute link to send: BASE_URL, not the request's host, which a proxy or an attacker may have set.
    public string LinkFor(string token) =>
        site.Value.BaseUrl.TrimEnd('/') + links.GetPathByPage(Page, values: new { token })!;

    public Task<List<WorkspaceInvitation>> PendingAsync(Guid workspaceId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return db.WorkspaceInvitations.AsNoTracking()
            .Where(i => i.WorkspaceId == workspaceId && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .OrderByDescending(i => i.CreatedAt)
            .ToListAsync(cancellationToken);
    }

    public async Task<WorkspaceInvitation?> RevokeAsync(WorkspaceContext caller, Guid invitationId, CancellationToken cancellationToken)
    {
        var invitation = await db.WorkspaceInvitations.SingleOrDefaultAsync(
            i => i.Id == invitationId && i.WorkspaceId == caller.WorkspaceId, cancellationToken);
        if (invitation is null || !invitation.IsPendingAt(time.GetUtcNow()))
        {
            return null;
        }
        if (!WorkspacePermissions.MayManageRole(caller.Role, invitation.Role))
        {
            throw new MembershipException($"Only an owner can revoke an invitation to be {WorkspacePermissions.Describe(invitation.Role)}.");
        }
        invitation.RevokedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return invitation;
    }

    // The invitation the link names, whatever its state (the page says why a used or expired one does nothing).
    public async Task<InvitationView?> FindAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return null;
        }
        var hash = WorkspaceInvitation.Hash(token);
        return await db.WorkspaceInvitations.AsNoTracking()
            .Where(i => i.TokenHash == hash)
            .Select(i => new InvitationView(i, i.Workspace.Name, i.InvitedBy.Email))
            .SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<bool> InvitesAsync(string invitationToken, string email, CancellationToken cancellationToken) =>
        await FindAsync(invitationToken, cancellationToken) is { } found
        && found.Invitation.IsPendingAt(time.GetUtcNow())
        && found.Invitation.ProvesEmail
        && found.Invitation.NormalizedEmail == WorkspaceInvitation.Normalize(email);

    // Makes the signed-in account a member with the invited role. The update that marks the invitation used is
    // conditional, so two tabs (or two nodes) accepting at once make one membership.
    public async Task<WorkspaceInvitation> AcceptAsync(string token, string userId, string? userNormalizedEmail, CancellationToken cancellationToken)
    {
        var found = await PendingForAsync(token, userNormalizedEmail, cancellationToken);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var claimed = await db.WorkspaceInvitations
            .Where(i => i.Id == found.Id && i.AcceptedAt == null && i.DeclinedAt == null && i.RevokedAt == null && i.ExpiresAt > now)
            .ExecuteUpdateAsync(update => update.SetProperty(i => i.AcceptedAt, now).SetProperty(i => i.AcceptedByUserId, userId), cancellationToken);
        if (claimed == 0)
        {
            throw new MembershipException("This invitation was used, revoked or has expired in the meantime.");
        }
        if (!await db.WorkspaceMembers.AnyAsync(m => m.WorkspaceId == found.WorkspaceId && m.UserId == userId, cancellationToken))
        {
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = found.WorkspaceId, UserId = userId, Role = found.Role, JoinedAt = now });
            await db.SaveChangesAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        LogAccepted(logger, found.Id, found.WorkspaceId, userId);
        return found;
    }

    public async Task<WorkspaceInvitation> DeclineAsync(string token, string? userNormalizedEmail, CancellationToken cancellationToken)
    {
        var found = await PendingForAsync(token, userNormalizedEmail, cancellationToken);
        var now = time.GetUtcNow();
        await db.WorkspaceInvitations.Where(i => i.Id == found.Id && i.AcceptedAt == null && i.DeclinedAt == null)
            .ExecuteUpdateAsync(update => update.SetProperty(i => i.DeclinedAt, now), cancellationToken);
        return found;
    }

    private async Task<WorkspaceInvitation> PendingForAsync(string token, string? userNormalizedEmail, CancellationToken cancellationToken)
    {
        var found = await FindAsync(token, cancellationToken);
        if (found is null || !found.Invitation.IsPendingAt(time.GetUtcNow()))
        {
            throw new MembershipException("This invitation is not valid any more: it was used, declined, revoked or has expired.");
        }
        if (userNormalizedEmail is null || found.Invitation.NormalizedEmail != WorkspaceInvitation.Normalize(userNormalizedEmail))
        {
            throw new MembershipException("This invitation is for another email address; only that account can answer it.");
        }
        return found.Invitation;
    }

    [LoggerMessage(LogLevel.Information, "Invitation {InvitationId} to workspace {WorkspaceId} as {Role} created")]
    private static partial void LogInvited(ILogger logger, Guid invitationId, Guid workspaceId, WorkspaceRole role);

    [LoggerMessage(LogLevel.Information, "Invitation {InvitationId} to workspace {WorkspaceId} accepted by user {UserId}")]
    private static partial void LogAccepted(ILogger logger, Guid invitationId, Guid workspaceId, string userId);
}
