using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Sosyabot.Web.Workspaces;

public enum WorkspacePermission
{
    // Read the workspace: channels, posts, members, the token list. Every role.
    View,
    // Write, schedule, edit, cancel, retry and delete posts, through pages or an API token.
    Publish,
    // Connect X accounts, and reconnect or disconnect the ones this member connected.
    ConnectChannels,
    // Reconnect, disconnect and remove any channel, whoever connected it.
    ManageChannels,
    // Create API tokens and revoke the ones this member created.
    CreateApiTokens,
    // Revoke any member's API token.
    ManageApiTokens,
    // Invite, remove and change the role of editors and viewers (and, for owners, of admins and owners).
    ManageMembers,
    // Invite, remove and change the role of admins and owners.
    ManageOwners,
    // Change the workspace's settings, such as the time zone and clock its members see by default.
    ManageSettings,
    // Add, change, test and remove the workspace's outgoing webhooks and read their delivery log.
    ManageWebhooks,
}

// The one table of who may do what in a workspace. Pages name the permission a handler needs with
// [RequiresPermission]; WorkspacePermissionFilter refuses the rest with 403, and the agent API gives a
// token the permissions of its creator's current role (ApiTokenAuthenticationHandler).
public static class WorkspacePermissions
{
    private static readonly Dictionary<WorkspaceRole, WorkspacePermission[]> Table = new()
    {
        [WorkspaceRole.Owner] = Enum.GetValues<WorkspacePermission>(),
        [WorkspaceRole.Admin] =
        [
            WorkspacePermission.View, WorkspacePermission.Publish, WorkspacePermission.ConnectChannels, WorkspacePermission.ManageChannels,
            WorkspacePermission.CreateApiTokens, WorkspacePermission.ManageApiTokens, WorkspacePermission.ManageMembers,
            WorkspacePermission.ManageSettings,
            WorkspacePermission.ManageWebhooks,
        ],
        [WorkspaceRole.Editor] =
        [
            WorkspacePermission.View, WorkspacePermission.Publish, WorkspacePermission.ConnectChannels, WorkspacePermission.CreateApiTokens,
        ],
        [WorkspaceRole.Viewer] = [WorkspacePermission.View],
    };

    public static bool Allows(WorkspaceRole role, WorkspacePermission permission) => Table[role].Contains(permission);

    // Whether a member may change, remove or invite someone with this role.
    public static bool MayManageRole(WorkspaceRole actor, WorkspaceRole target) =>
        Allows(actor, target is WorkspaceRole.Owner or WorkspaceRole.Admin ? WorkspacePermission.ManageOwners : WorkspacePermission.ManageMembers);

    // The roles a member may give in an invitation or a role change.
    public static IEnumerable<WorkspaceRole> AssignableBy(WorkspaceRole actor) =>
        Enum.GetValues<WorkspaceRole>().Where(role => MayManageRole(actor, role));

    // Editors act on the channels they connected; admins and owners on any.
    public static bool MayManageChannel(WorkspaceContext caller, string connectedByUserId) =>
        caller.Can(WorkspacePermission.ManageChannels)
        || (caller.Can(WorkspacePermission.ConnectChannels) && connectedByUserId == caller.UserId);

    public static bool MayRevokeToken(WorkspaceContext caller, string createdByUserId) =>
        caller.Can(WorkspacePermission.ManageApiTokens)
        || (caller.Can(WorkspacePermission.CreateApiTokens) && createdByUserId == caller.UserId);

    public static string Describe(WorkspaceRole role) => role.ToString().ToLowerInvariant();
}

// The permission a page handler (or, on the class, every handler of the page) needs in the current workspace.
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class RequiresPermissionAttribute(WorkspacePermission permission) : Attribute
{
    public WorkspacePermission Permission { get; } = permission;
}

// A page under /app that acts on no workspace's data (creating or switching workspaces, answering an invitation).
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class NotWorkspaceScopedAttribute : Attribute;

// Enforces [RequiresPermission] on every page handler. A handler of an /app page without a rule is refused,
// so a new page cannot go out unguarded by forgetting one.
public sealed partial class WorkspacePermissionFilter(CurrentWorkspace current, ILogger<WorkspacePermissionFilter> logger) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var rule = RuleOf(context.HandlerMethod?.MethodInfo, context.ActionDescriptor.HandlerTypeInfo);
        if (rule is NotWorkspaceScopedAttribute || (rule is null && !context.HttpContext.Request.Path.StartsWithSegments("/app")))
        {
            await next();
            return;
        }
        if (rule is not RequiresPermissionAttribute required)
        {
            LogNoRule(logger, context.ActionDescriptor.ViewEnginePath, context.HandlerMethod?.Name);
            context.Result = new ForbidResult();
            return;
        }
        var workspace = await current.GetAsync(context.HttpContext.RequestAborted);
        if (!workspace.Can(required.Permission))
        {
            context.Result = new ForbidResult();
            return;
        }
        await next();
    }

    public static Attribute? RuleOf(MethodInfo? handler, TypeInfo page) =>
        (Attribute?)handler?.GetCustomAttribute<RequiresPermissionAttribute>()
        ?? (Attribute?)handler?.GetCustomAttribute<NotWorkspaceScopedAttribute>()
        ?? (Attribute?)page.GetCustomAttribute<RequiresPermissionAttribute>()
        ?? page.GetCustomAttribute<NotWorkspaceScopedAttribute>();

    [LoggerMessage(LogLevel.Error, "Page {Page} handler {Handler} has no workspace permission rule; refused")]
    private static partial void LogNoRule(ILogger logger, string page, string? handler);
}
