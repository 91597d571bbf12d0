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
