using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Channels;

public enum ChannelKind
{
    OAuth2,
    Cookie,
    // The user's own X app: OAuth 1.0a keys for acting as the account, the app's bearer for reading.
    ApiKeys,
}

public static class ChannelStates
{
    public const string Active = "active";
    public const string NeedsReconnect = "needs_reconnect";
    public const string Disconnected = "disconnected";
    // Gone from the workspace's lists; the row stays so that the posts it published keep their history.
    public const string Removed = "removed";
}

// One X account connected to one workspace. Credentials are held only as ciphertext
// (Data.SecretProtector); ChannelSecrets reads and writes them.
public sealed class Channel
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid WorkspaceId { get; init; }
    public required string XUserId { get; init; }
    public ChannelKind Kind { get; set; }
    public required string Handle { get; set; }
    public required string DisplayName { get; set; }
    public string? AvatarUrl { get; set; }
    public string State { get; set; } = ChannelStates.Active;
    public string? StateReason { get; set; }
    public required string ConnectedByUserId { get; set; }
    public DateTimeOffset ConnectedAt { get; set; }

    public string? AccessTokenProtected { get; set; }
    public string? RefreshTokenProtected { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public string? Scopes { get; set; }
    public string? SessionAuthTokenProtected { get; set; }
    public string? SessionCt0Protected { get; set; }
    // The five keys of a bring-your-own-keys channel, as one encrypted JSON document.
    public string? ApiKeysProtected { get; set; }
    // Can read but not act: an API-keys channel connected without an access token and secret.
    public bool IsReadOnly { get; set; }
    // X's subscription_type from users/me (None, Basic, Premium, PremiumPlus) as of the last connect or check:
    // what decides whether the account may post long posts (ChannelAbility.MaxPostLength).
    public string? SubscriptionType { get; set; }

    public Workspace Workspace { get; init; } = null!;
    public AppUser ConnectedBy { get; init; } = null!;

    public void ForgetCredentials()
    {
        AccessTokenProtected = null;
        RefreshTokenProtected = null;
        AccessTokenExpiresAt = null;
        SessionAuthTokenProtected = null;
        SessionCt0Protected = null;
        ApiKeysProtected = null;
        IsReadOnly = false;
    }

    public void MarkNeedsReconnect(string reason)
    {
        State = ChannelStates.NeedsReconnect;
        StateReason = reason;
    }
}

internal sealed class ChannelConfiguration : IEntityTypeConfiguration<Channel>
{
    public void Configure(EntityTypeBuilder<Channel> builder)
    {
        builder.HasKey(c => c.Id);
        builder.Property(c => c.XUserId).HasMaxLength(32);
        builder.Property(c => c.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(c => c.Handle).HasMaxLength(50);
        builder.Property(c => c.DisplayName).HasMaxLength(100);
        builder.Property(c => c.AvatarUrl).HasMaxLength(500);
        builder.Property(c => c.State).HasMaxLength(20);
        builder.Property(c => c.StateReason).HasMaxLength(1000);
        builder.Property(c => c.Scopes).HasMaxLength(500);
        builder.Property(c => c.SubscriptionType).HasMaxLength(20);
        // The convention keeps a digit and the next word together (session_ct0protected).
        builder.Property(c => c.SessionCt0Protected).HasColumnName("session_ct0_protected");

        builder.HasIndex(c => new { c.WorkspaceId, c.XUserId }).IsUnique();
        builder.HasOne(c => c.Workspace).WithMany().HasForeignKey(c => c.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne(c => c.ConnectedBy).WithMany().HasForeignKey(c => c.ConnectedByUserId).OnDelete(DeleteBehavior.Restrict);
    }
}
