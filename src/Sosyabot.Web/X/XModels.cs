using System.Net;
using System.Text.Json.Serialization;

namespace Sosyabot.Web.X;

/// <summary>The OAuth 2.0 client as resolved at the moment of a request (admin panel, then environment).</summary>
public sealed record XClientCredentials(string ClientId, string ClientSecret);

public sealed record XTokenResponse(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("refresh_token")] string? RefreshToken,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("token_type")] string? TokenType);

public sealed record XUserProfile(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("username")] string Username,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("profile_image_url")] string? ProfileImageUrl);

/// <summary>
/// X answered with an error. Carries X's own words (OAuth <c>error</c>/<c>error_description</c>, or the
/// v2 problem's <c>title</c>/<c>detail</c>) so that what a person sees names X's reason. X's error bodies
/// hold no credentials, so this is safe to log.
/// </summary>
public sealed class XApiException(HttpStatusCode status, string? error, string? description)
    : Exception($"X answered {(int)status}{(error is null ? "" : " " + error)}{(description is null ? "" : ": " + description)}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Error { get; } = error;
    public string? Description { get; } = description;
}
