using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace Sosyabot.Web.Data;

// The snake_case convention came after the first releases, whose databases hold rows. It names our columns and
// tables as before, but would also rename what those releases created under EF's default names: primary keys,
// indexes and foreign keys (PK_posts would become pk_posts), and Identity's and DataProtection's columns
// (AspNetUsers.UserName would become user_name). Runs after it and gives those back their default names.
internal sealed class ExistingNamesConvention : IModelFinalizingConvention
{
    private static readonly Assembly Ours = typeof(ExistingNamesConvention).Assembly;

    public void ProcessModelFinalizing(IConventionModelBuilder modelBuilder, IConventionContext<IConventionModelBuilder> context)
    {
        foreach (var entityType in modelBuilder.Metadata.GetEntityTypes())
        {
            if (IsFrameworkType(entityType.ClrType))
            {
                foreach (var property in entityType.GetDeclaredProperties())
                {
                    property.Builder.HasColumnName(null);
                }
            }

            // Names written out in a configuration (Identity's EmailIndex) are explicit and stay as they are.
            foreach (var key in entityType.GetDeclaredKeys())
            {
                key.Builder.HasName(null);
            }
            foreach (var index in entityType.GetDeclaredIndexes())
            {
                index.Builder.HasDatabaseName(null);
            }
            foreach (var foreignKey in entityType.GetDeclaredForeignKeys())
            {
                foreignKey.Builder.HasConstraintName(null);
            }
        }
    }

    // AppUser only puts our type over IdentityUser; its columns are Identity's.
    private static bool IsFrameworkType(Type type) =>
        type.Assembly != Ours || (type.BaseType is { } baseType && baseType != typeof(object) && baseType.Assembly != Ours);
}
