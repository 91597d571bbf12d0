using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Sosyabot.Web.Hosting;

// Razor Pages renders a page whose handler it cannot find as if nothing had been asked: a POST, PUT or DELETE to
// a page without such a handler, or a handler name it does not have, ran the page half set up and answered 500.
// This answers 405 (with Allow) or 404 instead, choosing the handler as Razor Pages does (method, HEAD as GET, then
// name). It runs before the antiforgery check, so a request the page cannot take says so whatever token it carries.
internal sealed class PageHandlerCheck : IAuthorizationFilter, IOrderedFilter
{
    public int Order => int.MinValue;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        // The error page re-executed for a failed request keeps that request's method.
        if (context.ActionDescriptor is not CompiledPageActionDescriptor page
            || http.Features.Get<IStatusCodeReExecuteFeature>() is not null
            || http.Features.Get<IExceptionHandlerFeature>() is not null)
        {
            return;
        }
        var request = http.Request;
        var name = Convert.ToString(context.RouteData.Values["handler"], CultureInfo.InvariantCulture) is { Length: > 0 } routeName
            ? routeName
            : request.Query.TryGetValue("handler", out var queryName) ? queryName[0] : null;
        var forMethod = page.HandlerMethods.Where(h => string.Equals(h.HttpMethod, request.Method, StringComparison.OrdinalIgnoreCase)).ToList();
        if (forMethod.Count == 0 && HttpMethods.IsHead(request.Method))
        {
            forMethod = [.. page.HandlerMethods.Where(h => string.Equals(h.HttpMethod, HttpMethods.Get, StringComparison.OrdinalIgnoreCase))];
        }
        if (forMethod.Any(h => h.Name is null || h.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            // A page without OnGet renders as it is; only a handler name it does not have is not found.
            if (!string.IsNullOrEmpty(name))
            {
                context.Result = new NotFoundResult();
            }
            return;
        }
        if (forMethod.Count > 0)
        {
            context.Result = new NotFoundResult();
            return;
        }
        http.Response.Headers.Allow = string.Join(", ", new[] { HttpMethods.Get, HttpMethods.Head }
            .Concat(page.HandlerMethods.Select(h => h.HttpMethod.ToUpperInvariant()))
            .Distinct());
        context.Result = new StatusCodeResult(StatusCodes.Status405MethodNotAllowed);
    }
}
