using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Agents;

public sealed class ApiAuthLimitOptions
{
    // API requests answered 401 (no token, an unknown or revoked one) from one IP before that IP is answered 429.
    [ConfigurationKeyName("API_AUTH_FAILURES_PER_IP"), Range(1, 100_000)]
    public int FailuresPerIp { get; set; } = 30;

    [ConfigurationKeyName("API_AUTH_FAILURE_WINDOW_MINUTES"), Range(1, 1440)]
    public int WindowMinutes { get; set; } = 15;
}

// Counts the agent API's 401s per client IP; once an IP has used up its failures, its API requests are answered 429
// until the window ends, before any token is looked up.
public sealed class ApiAuthThrottle(IOptions<ApiAuthLimitOptions> options) : IDisposable
{
    private readonly FailureCounter _failures = new(options.Value.FailuresPerIp, TimeSpan.FromMinutes(options.Value.WindowMinutes));

    public TimeSpan? WaitBeforeTrying(string ip) => _failures.WaitBeforeTrying(ip);

    public void RecordFailure(string ip) => _failures.RecordFailure(ip);

    public void Dispose() => _failures.Dispose();
}
