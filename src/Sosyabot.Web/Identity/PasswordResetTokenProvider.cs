using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;

namespace Sosyabot.Web.Identity;

// Password reset tokens: creation time, user id, purpose and security stamp, protected by DataProtection. The same
// content as Identity's DataProtectorTokenProvider, which reads DateTimeOffset.UtcNow; this one reads TimeProvider, so a
// link's lifetime follows the instance's clock (and a test's FakeTimeProvider). A token serves once: resetting the
// password changes the security stamp it carries.
public sealed class PasswordResetTokenProvider(IDataProtectionProvider protection, TimeProvider clock) : IUserTwoFactorTokenProvider<AppUser>
{
    public const string ProviderName = "SosyabotPasswordReset";

    public static readonly TimeSpan Lifespan = TimeSpan.FromDays(1);

    private readonly IDataProtector _protector = protection.CreateProtector("Sosyabot.Identity.PasswordResetToken");

    public async Task<string> GenerateAsync(string purpose, UserManager<AppUser> manager, AppUser user)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(clock.GetUtcNow().UtcTicks);
            writer.Write(await manager.GetUserIdAsync(user));
            writer.Write(purpose);
            writer.Write(await manager.GetSecurityStampAsync(user) ?? "");
        }
        return Convert.ToBase64String(_protector.Protect(buffer.ToArray()));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<AppUser> manager, AppUser user)
    {
        byte[] content;
        try
        {
            content = _protector.Unprotect(Convert.FromBase64String(token));
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return false;
        }

        using var reader = new BinaryReader(new MemoryStream(content), Encoding.UTF8);
        try
        {
            var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
            var (userId, tokenPurpose, stamp) = (reader.ReadString(), reader.ReadString(), reader.ReadString());
            return created + Lifespan >= clock.GetUtcNow()
                && userId == await manager.GetUserIdAsync(user)
                && tokenPurpose == purpose
                && stamp == (await manager.GetSecurityStampAsync(user) ?? "");
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<AppUser> manager, AppUser user) => Task.FromResult(false);
}
