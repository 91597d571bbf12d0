using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Channels;

// The channel credential columns as the previous release wrote them ("P|", one purpose for all), rewritten under
// each column's own per-row purpose at start (Data.KeyRingUpgrade).
internal sealed class LegacyChannelSecrets : ILegacySecretColumns
{
    public async Task<int> RewriteAsync(SosyabotDbContext db, Func<SecretPurpose, string, string?> rewrite, CancellationToken cancellationToken)
    {
        const string legacy = SecretProtector.LegacyPrefix;
        var channels = await db.Channels
            .Where(c => c.AccessTokenProtected!.StartsWith(legacy) || c.RefreshTokenProtected!.StartsWith(legacy)
                        || c.SessionAuthTokenProtected!.StartsWith(legacy) || c.SessionCt0Protected!.StartsWith(legacy)
                        || c.ApiKeysProtected!.StartsWith(legacy))
            .ToListAsync(cancellationToken);
        var count = 0;
        string? Rewrite(Channel channel, string kind, string? stored)
        {
            if (stored is null || !stored.StartsWith(legacy, StringComparison.Ordinal))
            {
                return stored;
            }
            var rewritten = rewrite(ChannelSecrets.PurposeOf(channel, kind), stored);
            count += rewritten is null ? 0 : 1;
            return rewritten ?? stored;
        }
        foreach (var channel in channels)
        {
            channel.AccessTokenProtected = Rewrite(channel, SecretKinds.ChannelAccessToken, channel.AccessTokenProtected);
            channel.RefreshTokenProtected = Rewrite(channel, SecretKinds.ChannelRefreshToken, channel.RefreshTokenProtected);
            channel.SessionAuthTokenProtected = Rewrite(channel, SecretKinds.ChannelSessionAuthToken, channel.SessionAuthTokenProtected);
            channel.SessionCt0Protected = Rewrite(channel, SecretKinds.ChannelSessionCt0, channel.SessionCt0Protected);
            channel.ApiKeysProtected = Rewrite(channel, SecretKinds.ChannelApiKeys, channel.ApiKeysProtected);
        }
        await db.SaveChangesAsync(cancellationToken);
        return count;
    }
}
