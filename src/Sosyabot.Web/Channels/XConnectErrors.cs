using System.Net;
using Microsoft.AspNetCore.Authentication;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Channels;

// What a person sees when connecting through X's consent page fails: X's reason and the fix.
public static class XConnectErrors
{
    public const string StaleAttempt =
        "This connection attempt has expired or was already used (or was started by another account). Start again with Connect → X (Twitter).";

    public const string ConsentDenied = "You chose Cancel on X's consent page, so no account was connected.";

    public static string ForTokenExchange(XApiException ex, string callbackUrl) => ex.Status switch
    {
        HttpStatusCode.Unauthorized =>
            "X rejected Sosyabot's client credentials (401 at the token endpoint). Either the Client ID or Secret under " +
            "Admin → X (Twitter) is wrong, or the X app is a Native App (a public client). In X's developer portal set " +
            "Type of App to \"Web App, Automated App or Bot\" and paste that app's Client ID and Secret.",
        HttpStatusCode.BadRequest when (ex.Description ?? "").Contains("redirect", StringComparison.OrdinalIgnoreCase) =>
            $"X says the callback URL does not match the app's settings ({ex.Description}). Register exactly {callbackUrl} " +
            "as the Callback URI in X's developer portal, byte for byte.",
        _ => $"X refused the authorization ({(int)ex.Status} {ex.Error}: {ex.Description}). Start again with Connect → X (Twitter).",
    };

    public const string Unexpected =
        "Connecting failed unexpectedly and nothing was saved. Try again; if it keeps failing, the instance's logs say why.";

    public static string ForRemoteFailure(Exception? failure) => failure switch
    {
        ChannelConnectException connect => connect.Message,
        AuthenticationFailureException { Data: var data } when data["error"] is string error =>
            $"X stopped the connection: {error}{(data["error_description"] is string description ? ": " + description : "")}.",
        // The correlation cookie is gone or the state does not decrypt: a replay, a stale tab, another browser.
        AuthenticationFailureException => StaleAttempt,
        _ => Unexpected,
    };
}
