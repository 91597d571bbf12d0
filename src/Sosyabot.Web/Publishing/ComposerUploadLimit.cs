using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Sosyabot.Web.Publishing;

// Refuses a composer post larger than any post can be from its declared length, before antiforgery reads the form
// (a form that cannot be read answers a bare 400 there): the person gets the 413 page saying what fits, and a
// client that waits for 100-continue sends none of the body.
[AttributeUsage(AttributeTargets.Class)]
public sealed class ComposerUploadLimitAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
{
    // After RequestSizeLimit (900), which sets the limit the server enforces while reading; before antiforgery (1000).
    public int Order => 950;

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        if (context.HttpContext.Request.ContentLength > IndexModel.MaxRequestBytes)
        {
            context.Result = new StatusCodeResult(StatusCodes.Status413PayloadTooLarge);
        }
    }
}
