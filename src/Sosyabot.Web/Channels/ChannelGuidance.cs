using System.Globalization;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// What a person (or an agent) is told when X refuses a channel: X's reason and the fix. One place, so that
// the channels page, the publisher's history and the API's problem details say the same thing.
public static class ChannelGuidance
{
    public const string ReadOnlyFix =
        "In X's developer portal set the app's User authentication permissions to Read and write, then regenerate " +
        "the access token and secret (a token keeps the permissions it was created with) and connect the account again with the new pair.";

    public static string Unauthorized(ChannelKind kind, XApiException ex) => kind == ChannelKind.ApiKeys
        ? $"X answered 401 Unauthorized{Detail(ex)}: the consumer key/secret is invalid or the app is suspended. " +
          "Regenerate the keys in X's developer portal (Keys and tokens) and connect the account again with the new ones."
        : $"X answered 401 Unauthorized{Detail(ex)}: the access was revoked or has expired. Reconnect the account.";

    public static string ForbiddenWrite(XApiException ex) =>
        $"X answered 403 Forbidden{Detail(ex)}: the app or its access token is read-only. {ReadOnlyFix}";

    public static string ReadOnlyChannel(string handle) =>
        $"@{handle} is read-only: it was connected with API keys but without an access token and secret. {ReadOnlyFix}";

    public const string FreshCookiesSteps =
        "Log in to x.com in your browser as that account, open the developer tools (F12) → Application (Storage in Firefox) → Cookies → https://x.com, " +
        "copy the values of auth_token and ct0, and reconnect the channel with them on the channels page (Connect with browser cookies). " +
        "Held posts go out once it is reconnected.";

    // Why x.com's web path will not act for a cookie channel's session any more, and how to get it back.
    public static string WebSessionEnded(string handle, XWebException ex) => ex.Fault switch
    {
        XWebFault.Locked =>
            $"x.com locked @{handle} (code 326{WebDetail(ex)}). Log in to x.com in your browser and complete its check to unlock the account, " +
            $"then reconnect with fresh cookies. {FreshCookiesSteps}",
        XWebFault.Suspended =>
            $"x.com says @{handle} is suspended ({(ex.Code is { } c ? $"code {c}" : "suspended")}{WebDetail(ex)}). " +
            $"Nothing can be posted until X lifts it (appeal at help.x.com); then reconnect with fresh cookies. {FreshCookiesSteps}",
        XWebFault.CsrfRejected =>
            $"x.com refused the session's ct0 cookie (code 353{WebDetail(ex)}) and handed no new one back: the session is no longer valid. {FreshCookiesSteps}",
        _ =>
            $"x.com no longer accepts the browser session of @{handle} ({(int)ex.Status}{(ex.Code is { } code ? $" code {code}" : "")}{WebDetail(ex)}): " +
            $"it was logged out or expired. {FreshCookiesSteps}",
    };

    private static string WebDetail(XWebException ex) => ex.Description is { Length: > 0 } d ? $": {d}" : "";

    public static string RateLimited(DateTimeOffset resetAt, DateTimeOffset now) =>
        $"X's rate limit for this is used up; it resets at {resetAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC " +
        $"(in {Math.Max(0, (int)Math.Ceiling((resetAt - now).TotalSeconds))} s). Try again then.";

    public static string Detail(XApiException ex) =>
        ex.Error is null && ex.Description is null ? "" : $" ({string.Join(": ", new[] { ex.Error, ex.Description }.Where(s => s is not null))})";
}
