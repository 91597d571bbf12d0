using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Sosyabot.Web.Notifications;

public sealed class NotificationOptions : IValidatableObject
{
    // Run the fan-out and the webhook sender in this process. Every node may: both claim rows with SKIP LOCKED.
    [ConfigurationKeyName("NOTIFICATIONS_ENABLED")]
    public bool Enabled { get; set; } = true;

    // Webhook URLs may point at loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7) and link-local addresses.
    // Off by default: a workspace admin could otherwise make the server call into its own network (SSRF).
    [ConfigurationKeyName("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES")]
    public bool AllowPrivateAddresses { get; set; }

    // The waits before each retry of a failed webhook delivery, in seconds; one attempt, then one more per entry.
    [ConfigurationKeyName("WEBHOOKS_RETRY_SECONDS")]
    public string RetrySeconds { get; set; } = "10,60,300,1800,7200";

    public IReadOnlyList<TimeSpan> RetryDelays => ParseDelays(RetrySeconds) ?? [];

    public int MaxAttempts => RetryDelays.Count + 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ParseDelays(RetrySeconds) is null)
        {
            yield return new ValidationResult(
                "WEBHOOKS_RETRY_SECONDS must be a comma-separated list of 0 to 10 waits in seconds, each 1 to 86400 (e.g. 10,60,300,1800,7200).");
        }
    }

    private static List<TimeSpan>? ParseDelays(string? list)
    {
        var parts = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var delays = new List<TimeSpan>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > 86_400)
            {
                return null;
            }
            delays.Add(TimeSpan.FromSeconds(seconds));
        }
        return delays.Count <= 10 ? delays : null;
    }
}
