namespace Sosyabot.Web.Hosting;

// What features may relax in the security headers every response carries, each for its own paths.
public sealed class SecurityHeaderOptions
{
    // Paths whose pages need inline scripts and styles; they must show no user content.
    public List<PathString> InlineScriptPaths { get; } = [];
}
