using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Sosyabot.Web.Hosting;

// The one-time message shown on the next page after an action. Pages set it through [TempData]
// properties of these names; code outside a page (an authentication handler) through these methods.
// The layout shows both kinds.
public static class Flash
{
    public const string SuccessKey = "StatusMessage";
    public const string ErrorKey = "ErrorMessage";
    public const string WarningKey = "WarningMessage";

    public static void Success(HttpContext context, string message) => Set(context, SuccessKey, message);

    public static void Error(HttpContext context, string message) => Set(context, ErrorKey, message);

    private static void Set(HttpContext context, string key, string message)
    {
        var tempData = context.RequestServices.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(context);
        tempData[key] = message;
        tempData.Save();
    }
}
