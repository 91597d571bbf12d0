using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sosyabot.Web.Publishing;

// One of X's rate-limit windows as Sosyabot last knew it, shared by every node: seeded from X's
// documented caps, spent one request at a time before calling X, corrected by X's headers.
public sealed class RateBudget
{
    public required string Key { get; init; }
    public int Limit { get; set; }
    public int Remaining { get; set; }
    public DateTimeOffset ResetAt { get; set; }
}

internal sealed class RateBudgetConfiguration : IEntityTypeConfiguration<RateBudget>
{
    public void Configure(EntityTypeBuilder<RateBudget> builder)
    {
        builder.HasKey(b => b.Key);
        builder.Property(b => b.Key).HasMaxLength(200);
    }
}

// One request in flight against one rate window: taken before the call to X, deleted when X's answer is settled
// into the budget (or the request never left). A budget grants only what its remaining count minus the live
// reservations allows, so nodes publishing at once never promise X's last unit twice. A node that dies leaves its
// reservations to lapse at ExpiresAt (the claim lease); the next reservation on the window deletes them.
public sealed class RateBudgetReservation
{
    public Guid Id { get; init; }
    public required string Key { get; init; }
    public required string HeldBy { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
}

internal sealed class RateBudgetReservationConfiguration : IEntityTypeConfiguration<RateBudgetReservation>
{
    public void Configure(EntityTypeBuilder<RateBudgetReservation> builder)
    {
        // Key first: reserving counts and clears one window's reservations.
        builder.HasKey(r => new { r.Key, r.Id });
        builder.Property(r => r.Key).HasMaxLength(200);
        builder.Property(r => r.HeldBy).HasMaxLength(100);
    }
}
