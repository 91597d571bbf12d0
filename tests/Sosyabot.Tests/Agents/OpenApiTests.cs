using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sosyabot.Tests.Infrastructure;

namespace Sosyabot.Tests.Agents;

public sealed class OpenApiTests(SosyabotAppFactory app) : IClassFixture<SosyabotAppFactory>
{
    [Fact]
    public async Task OpenApiDocument_ListsEveryApiEndpointWithItsMethodAndTheTokenScheme()
    {
        using var client = app.CreateClient(new() { HandleCookies = false });

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var documented = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(operation => $"{operation.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet();
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                $"{m} {string.Join('/', e.RoutePattern.RawText!.Split('/').Select(s => s.Contains(':') ? s[..s.IndexOf(':')] + "}" : s))}"))
            .ToHashSet();
        Assert.True(mapped.Count >= 16, string.Join("\n", mapped));
        Assert.Empty(mapped.Except(documented));
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiToken").GetProperty("scheme").GetString());
        Assert.Contains("POST /api/v1/channels/{channelId}/posts", documented);
        Assert.Contains("DELETE /api/v1/channels/{channelId}/bookmarks/{tweetId}", documented);
    }

    [Fact]
    public async Task ApiReference_IsBrowsableWithoutSigningIn()
    {
        using var client = app.CreateClient(new() { HandleCookies = false });

        using var response = await client.GetAsync("/api/reference");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync());
    }
}
