using Microsoft.AspNetCore.Routing.Template;

namespace Sosyabot.Web.Hosting;

// A fallback route (the API's "no such endpoint") matches every method, so routing never gets to answer 405 for a
// path that exists under another method; this tells a fallback which methods that path does take.
public static class MethodNotAllowed
{
    // The methods the request's path takes, or none when the path is unknown or takes this method (then it is a 404).
    public static IReadOnlyList<string> AllowedMethods(HttpContext context)
    {
        var path = context.Request.Path;
        var methods = context.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is { HttpMethods.Count: > 0 }
                && new TemplateMatcher(new RouteTemplate(endpoint.RoutePattern), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary()))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return methods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase) ? [] : methods;
    }
}
