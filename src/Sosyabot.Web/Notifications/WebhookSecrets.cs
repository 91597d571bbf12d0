using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Notifications;

// A webhook's signing secret: random, shown to the admin once, kept encrypted under the webhook's own purpose.
public sealed class WebhookSecrets(SecretProtector protector)
{
    public const string Kind = "webhook.secret";

    public static string NewSecret() => "whsec_" + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public void Store(Webhook webhook, string secret) => webhook.SecretProtected = protector.Protect(PurposeOf(webhook), secret);

    public string Read(Webhook webhook) => protector.Unprotect(PurposeOf(webhook), webhook.SecretProtected);

    private static SecretPurpose PurposeOf(Webhook webhook) => new(Kind, webhook.WorkspaceId, webhook.Id.ToString("D"));
}
