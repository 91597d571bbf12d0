using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Sosyabot.Web.Hosting;

// An API body that is not the JSON it should be (a number where text goes, a truncated document) gets a
// 400 problem naming the parameter and the JSON path, instead of an empty 400: agents' developers read these.
internal sealed class BadRequestProblemHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // Pages get the error page for the status the exception handler chose (400, 413, ...). The request's path may
        // already be the error page's, so the path asked for comes from the feature.
        var path = context.Features.Get<IExceptionHandlerPathFeature>()?.Path is { } original ? new PathString(original) : context.Request.Path;
        if (exception is not BadHttpRequestException badRequest || !path.StartsWithSegments("/api"))
        {
            return false;
        }
        var json = badRequest.InnerException as JsonException;
        context.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = badRequest.StatusCode,
                Title = badRequest.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is too large" : "The request body could not be read",
                Detail = json is null ? badRequest.Message : $"{badRequest.Message} {json.Message}",
            },
        });
    }
}
