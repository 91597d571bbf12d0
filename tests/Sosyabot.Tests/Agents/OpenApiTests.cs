using System.Diagnostics;
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

    // Generated clients name their methods after operationId and type their errors from the documented 4xx:
    // the document the app serves must stay clean under Redocly's recommended rules, warnings included.
    [Fact]
    public async Task OpenApiDocument_PassesRedoclyRecommendedRules_WithNoErrorOrWarning()
    {
        using var client = app.CreateClient(new() { HandleCookies = false });
        var tool = Path.Combine(Sosyabot.TestHost.Repository.Root, "tools", "openapi-lint");
        var redocly = Path.Combine(tool, "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), $"Redocly CLI is not installed in {tool}: './service.sh test' installs it, or run 'npm ci' there.");
        var document = Path.Combine(Path.GetTempPath(), $"sosyabot-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(document, await client.GetStringAsync("/openapi/v1.json"));
        var start = new ProcessStartInfo(redocly, ["lint", document, "--config", Path.Combine(tool, "redocly.yaml"), "--format", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = tool,
        };
        // A test run calls home to nobody.
        start.Environment["REDOCLY_TELEMETRY"] = "off";
        start.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var report = await output;
            Assert.False(string.IsNullOrWhiteSpace(report), $"Redocly wrote no report (exit {process.ExitCode}): {await errors}");

            // Redocly exits 0 on warnings, so the totals decide; each finding is named by its rule and place.
            using var result = JsonDocument.Parse(report);
            var findings = result.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()} at " +
                             $"{p.GetProperty("location")[0].GetProperty("pointer").GetString()}: {p.GetProperty("message").GetString()}")
                .ToList();
            var totals = result.RootElement.GetProperty("totals");
            Assert.True(totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0 && process.ExitCode == 0,
                string.Join("\n", findings));
        }
        finally
        {
            File.Delete(document);
        }
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
