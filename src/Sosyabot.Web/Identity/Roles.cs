using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Sosyabot.Web.Identity;

public static class Roles
{
    public const string InstanceAdmin = "InstanceAdmin";
    public const string InstanceAdminPolicy = "InstanceAdmin";

    // Seeded by migration with fixed values so every node agrees on the role without a start-up race.
    internal static readonly IdentityRole InstanceAdminRole = new()
    {
        Id = "6f1f7c1e-3c1b-4a55-9a53-0c8f5e0b7a01",
        Name = InstanceAdmin,
        NormalizedName = InstanceAdmin.ToUpperInvariant(),
        ConcurrencyStamp = "4a1b9a5e-58a2-4d7e-8a70-2d3c1f0e6b11",
    };
}

internal sealed class RoleConfiguration : IEntityTypeConfiguration<IdentityRole>
{
    public void Configure(EntityTypeBuilder<IdentityRole> builder) => builder.HasData(Roles.InstanceAdminRole);
}
