using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sosyabot.Web.Data;

// One instance-wide setting made in the admin panel. Secret values hold ciphertext only.
public sealed class OptionEntry
{
    public required string Key { get; init; }
    public required string Value { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public string? UpdatedBy { get; set; }
}

internal sealed class OptionEntryConfiguration : IEntityTypeConfiguration<OptionEntry>
{
    public void Configure(EntityTypeBuilder<OptionEntry> builder)
    {
        builder.HasKey(o => o.Key);
        builder.Property(o => o.Key).HasMaxLength(100);
        builder.Property(o => o.Value).HasMaxLength(4000);
        builder.Property(o => o.UpdatedBy).HasMaxLength(256);
    }
}
