using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.X;

// The admin panel's X client secret as the previous release wrote it, rewritten under its own purpose at start.
internal sealed class LegacyClientSecret : ILegacySecretColumns
{
    public async Task<int> RewriteAsync(SosyabotDbContext db, Func<SecretPurpose, string, string?> rewrite, CancellationToken cancellationToken)
    {
        var row = await db.Options.SingleOrDefaultAsync(
            o => o.Key == OptionKeys.XClientSecret && o.Value.StartsWith(SecretProtector.LegacyPrefix), cancellationToken);
        if (row is null || rewrite(XIntegrationSettings.ClientSecretPurpose, row.Value) is not { } rewritten)
        {
            return 0;
        }
        row.Value = rewritten;
        await db.SaveChangesAsync(cancellationToken);
        return 1;
    }
}
