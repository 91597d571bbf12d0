namespace Sosyabot.Web.Hosting;

/// <summary>What features may relax in the security headers every response carries, each for its own paths.</summary>
public sealed class SecurityHeaderOptions
{
    /// <summary>Paths whose pages need inline scripts and styles; they must show no user content.</summary>
    public List<PathString> InlineScriptPaths { get; } = [];
}
