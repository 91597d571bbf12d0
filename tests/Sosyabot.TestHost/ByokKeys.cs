namespace Sosyabot.TestHost;

// A workspace's own X app keys, as the developer portal shows them.
public sealed record ByokKeys(
    string XUserId, string Username, string ApiKey, string ApiSecret, string BearerToken, string? AccessToken, string? AccessTokenSecret)
{
    public static ByokKeys NewReadWrite(string? username = null)
    {
        var userId = Random.Shared.NextInt64(1_000_000_000, 9_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tag = Guid.NewGuid().ToString("N");
        return new ByokKeys(userId, username ?? "byok_" + userId[..8], "ConsumerKey" + tag[..14], "ConsumerSecret" + tag,
            "AAAAAAAAAAAAAAAAAAAAA" + tag + "Bearer",
            $"{userId}-AccessToken{tag[..20]}", "AccessSecret" + tag);
    }

    public ByokKeys ReadOnly() => this with { AccessToken = null, AccessTokenSecret = null };

    public Dictionary<string, string> FormValues() => new()
    {
        ["ApiKeys.ApiKey"] = ApiKey,
        ["ApiKeys.ApiSecret"] = ApiSecret,
        ["ApiKeys.BearerToken"] = BearerToken,
        ["ApiKeys.AccessToken"] = AccessToken ?? "",
        ["ApiKeys.AccessTokenSecret"] = AccessTokenSecret ?? "",
        ["ApiKeys.Username"] = AccessToken is null ? Username : "",
    };
}
