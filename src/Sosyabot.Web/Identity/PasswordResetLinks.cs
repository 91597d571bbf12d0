using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// Absolute links to /account/reset-password, for mail (forgot password) and for an admin to hand over: BASE_URL, not the
// request's Host, so a forged Host header cannot point a mailed link at someone else's site.
public sealed class PasswordResetLinks(UserManager<AppUser> users, LinkGenerator links, IOptions<SiteOptions> site)
{
    public static TimeSpan Lifespan => PasswordResetTokenProvider.Lifespan;

    public async Task<string> CreateAsync(AppUser user)
    {
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var code = WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));
        var path = links.GetPathByPage("/Identity/ResetPassword", handler: null, values: new { email = user.Email, code })
            ?? throw new InvalidOperationException("The reset password page has no route.");
        return site.Value.BaseUrl.TrimEnd('/') + path;
    }

    // The Identity token inside a link's code, or null when the code is not one of ours.
    public static string? TokenFromCode(string? code)
    {
        if (string.IsNullOrEmpty(code))
        {
            return null;
        }
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
