namespace Sosyabot.Web.Hosting;

// Anything that builds an absolute URL from the request (the sign-in redirect, the OAuth handler, links in
// mails) would otherwise write whatever Host a client sent into it; a Host this instance does not answer to
// gets 400 before any of that runs, and the answer does not repeat the name.
internal static class HostCheck
{
    // Probes ask by whatever name reaches the container (127.0.0.1 in the Dockerfile's health check, a pod IP
    // in Kubernetes); these answers build no URL and are the same for every name.
    private static readonly PathString[] ProbePaths = ["/healthz", "/readyz"];

    public const string Refusal =
        "This instance does not answer to that host name. Open it at the address of its BASE_URL, or add the name to ALLOWED_HOSTS.";

    public static void UseHostCheck(this WebApplication app, IReadOnlyList<string> hostNames)
    {
        var allowed = hostNames.Select(name => new Microsoft.Extensions.Primitives.StringSegment(name)).ToList();
        app.Use(async (context, next) =>
        {
            var host = context.Request.Host;
            if ((host.HasValue && HostString.MatchesAny(host.Host, allowed))
                || ProbePaths.Any(path => context.Request.Path.Equals(path, StringComparison.OrdinalIgnoreCase)))
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(Refusal, context.RequestAborted);
        });
    }
}
