using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Sosyabot.Tests.Infrastructure;

public static class FakeClockServices
{
    // The HTTP resilience handler reads the app's TimeProvider too, so a test moving the fake clock while a request
    // to the stand-in for X is still on the wire fired the attempt timeout: a busy machine turned a 300 ms upload
    // into "X's answer was lost". Network timeouts are real time; they are stretched out of the fake clock's reach,
    // and a test of a timeout runs the app as a process on real clocks (Reliability/TimeoutDrillTests).
    public static IServiceCollection UseFakeClock(this IServiceCollection services, FakeTimeProvider clock)
    {
        services.AddSingleton<TimeProvider>(clock);
        // The longest the options allow: a day for the whole request and the breaker's sampling, which must be at
        // least twice the attempt's. A day's sampling would gather one class's deliberate faults into one window, so
        // the breaker never opens; and a GET's retry goes at once instead of waiting for the test to move the clock.
        services.PostConfigureAll<HttpStandardResilienceOptions>(options =>
        {
            options.AttemptTimeout.Timeout = TimeSpan.FromHours(12);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromDays(1);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromDays(1);
            options.CircuitBreaker.MinimumThroughput = int.MaxValue;
            options.Retry.Delay = TimeSpan.Zero;
        });
        return services;
    }
}
