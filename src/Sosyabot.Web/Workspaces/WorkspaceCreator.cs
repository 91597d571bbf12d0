using Sosyabot.Web.Data;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

public sealed partial class WorkspaceCreator(SosyabotDbContext db, TimeProvider time, ILogger<WorkspaceCreator> logger) : INewAccountListener
{
    public const int MaxNameLength = 100;

    public Task AccountCreatedAsync(AppUser user, CancellationToken cancellationToken) =>
        CreatePersonalAsync(user.Id, user.Email ?? user.UserName ?? user.Id, cancellationToken);

    public Task<Workspace> CreatePersonalAsync(string userId, string userName, CancellationToken cancellationToken)
    {
        var name = $"{userName.Split('@')[0]}'s workspace";
        return CreateAsync(userId, name.Length > MaxNameLength ? name[..MaxNameLength] : name, cancellationToken);
    }

    public async Task<Workspace> CreateAsync(string ownerUserId, string name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var workspace = new Workspace { Name = name, CreatedAt = now };
        workspace.Members.Add(new WorkspaceMember { UserId = ownerUserId, Role = WorkspaceRole.Owner, JoinedAt = now });
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(logger, workspace.Id, ownerUserId);
        return workspace;
    }

    [LoggerMessage(LogLevel.Information, "Workspace {WorkspaceId} created for user {UserId}")]
    private static partial void LogCreated(ILogger logger, Guid workspaceId, string userId);
}
