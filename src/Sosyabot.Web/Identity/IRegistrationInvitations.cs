namespace Sosyabot.Web.Identity;

// Workspaces answer whether an invitation lets this email register while registration is invite-only.
public interface IRegistrationInvitations
{
    Task<bool> InvitesAsync(string invitationToken, string email, CancellationToken cancellationToken);
}
