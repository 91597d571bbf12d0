using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Identity;

namespace Sosyabot.Web.Workspaces;

// An owner's or admin's offer of a role to an email address. Nobody becomes a member until the person
// signed in with that address accepts it. Only a SHA-256 of the link's token is kept: it is 256 random
// bits, so a leaked table gives no usable link.
public sealed class WorkspaceInvitation
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string Email { get; init; }
    // Upper-cased as Identity normalizes emails, so that the comparison with the signed-in account agrees with it.
    public required string NormalizedEmail { get; init; }
    public WorkspaceRole Role { get; init; }
    public required byte[] TokenHash { get; init; }
    public required string InvitedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public DateTimeOffset? AcceptedAt { get; set; }
    public string? AcceptedByUserId { get; set; }
    public DateTimeOffset? DeclinedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    // The link went only to the invited mailbox, or an instance admin made it: only then may it open a new account while
    // registration is invite-only. A link shown to a member proves nothing about the address it names.
    public bool ProvesEmail { get; init; }

    public Workspace Workspace { get; init; } = null!;
    public AppUser InvitedBy { get; init; } = null!;

    public bool IsPendingAt(DateTimeOffset now) => AcceptedAt is null && DeclinedAt is null && RevokedAt is null && ExpiresAt > now;

    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

internal sealed class WorkspaceInvitationConfiguration : IEntityTypeConfiguration<WorkspaceInvitation>
{
    public void Configure(EntityTypeBuilder<WorkspaceInvitation> builder)
    {
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Email).HasMaxLength(256);
        builder.Property(i => i.NormalizedEmail).HasMaxLength(256);
        builder.Property(i => i.Role).HasConversion<string>().HasMaxLength(20);
        builder.Property(i => i.ProvesEmail).HasDefaultValue(false);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.HasIndex(i => new { i.WorkspaceId, i.NormalizedEmail });
        builder.HasOne(i => i.Workspace).WithMany().HasForeignKey(i => i.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(i => i.InvitedBy).WithMany().HasForeignKey(i => i.InvitedByUserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppUser>().WithMany().HasForeignKey(i => i.AcceptedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
