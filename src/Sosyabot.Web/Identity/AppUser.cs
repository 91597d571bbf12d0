using Microsoft.AspNetCore.Identity;

namespace Sosyabot.Web.Identity;

public sealed class AppUser : IdentityUser
{
    // Null for accounts made before this was recorded.
    public DateTimeOffset? CreatedAt { get; set; }

    // Set by an instance admin: the account cannot sign in and its sessions end (its security stamp changes).
    public DateTimeOffset? DisabledAt { get; set; }
}
