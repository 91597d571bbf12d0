namespace Sosyabot.Web.Hosting;

// What features may relax in the security headers every response carries, each for its own paths.
public sealed class SecurityHeaderOptions
{
    // Paths whose pages need inline scripts and styles; they must show no user content.
    public List<PathString> InlineScriptPaths { get; } = [];

    // Origins a form of ours may end up at besides this site: browsers apply form-action to every redirect that
    // follows a form POST, so a form whose handler redirects off-site (Connect -> X's consent page) needs its origin here.
    public List<string> FormActionOrigins { get; } = [];
}
