using Microsoft.AspNetCore.Identity;

namespace Sosyabot.Web.Identity;

public sealed class AppUser : IdentityUser;
