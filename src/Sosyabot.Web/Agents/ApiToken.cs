using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Agents;

// What an API token may do. Reading public data, acting on X (posts, likes, retweets, bookmarks), direct messages.
public static class ApiScopes
{
    public const string Read = "read";
    public const string Write = "write";
    public const string Dm = "dm";

    public static readonly string[] All = [Read, Write, Dm];

    // What each scope needs of the token creator's current role: reading is viewing, acting on X is publishing.
    public static bool AllowedFor(WorkspaceRole role, string scope) =>
        WorkspacePermissions.Allows(role, scope == Read ? WorkspacePermission.View : WorkspacePermission.Publish);
}

// A workspace's credential for its agents and automations. Only a SHA-256 of the secret is kept: the token
// is 256 random bits, so a fast hash is as good as a slow one, and a leaked table leaks no usable token.
public sealed class ApiToken
{
    public const string Prefix = "sbt_";

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Name { get; init; }
    // The token's first characters, enough for a person to tell their tokens apart.
    public required string Hint { get; init; }
    public required byte[] SecretHash { get; init; }
    public required List<string> Scopes { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public Workspace Workspace { get; init; } = null!;
    public AppUser CreatedBy { get; init; } = null!;

    public static string NewSecret() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static string HintOf(string secret) => secret[..(Prefix.Length + 6)] + "…";
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.Hint).HasMaxLength(20);
        builder.Property(t => t.Scopes).HasDefaultValueSql("'{}'");
        builder.HasIndex(t => t.SecretHash).IsUnique();
        builder.HasIndex(t => new { t.WorkspaceId, t.CreatedAt });
        builder.HasOne(t => t.Workspace).WithMany().HasForeignKey(t => t.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(t => t.CreatedBy).WithMany().HasForeignKey(t => t.CreatedByUserId).OnDelete(DeleteBehavior.Cascade);
    }
}
