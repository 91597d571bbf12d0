using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Http.Resilience;
using Npgsql;
using Sosyabot.TestHost;
using Sosyabot.XSandbox;

namespace Sosyabot.Bench;

// How much of what X allows the publisher actually sends. 1,000 API-key channels of one X app, a queue that
// exceeds every budget (100 accounts with 150 posts each, beyond their 100 per 15 minutes; 900 with 10 each;
// 24,000 in all, beyond the app's 10,000 per 24 hours), and a clock that the app and the sandbox share,
// running AcceleratedTimeProvider.Factor times faster than the machine's.
internal static class BudgetUse
{
    private const int Channels = 1_000;
    private const int HeavyChannels = 100;
    private const int HeavyPosts = 150;
    private const int LightPosts = 10;
    private const int PerUserPer15Minutes = SandboxApp.TweetsPerUserPer15Minutes;
    private const int PerAppPer24Hours = SandboxApp.TweetsPerAppPer24Hours;

    // Simulated time measured from the first post: inside the app's first 24-hour window.
    private static readonly TimeSpan Period = TimeSpan.FromHours(23);

    public static async Task<Result> RunAsync(string database, double factor)
    {
        var clock = new AcceleratedTimeProvider(factor);
        await using var sandbox = SandboxApp.Create(
            ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--SANDBOX_EXTRA_ACCOUNTS={Channels - SandboxState.Accounts.Length}"],
            builder => builder.Services.AddSingleton<TimeProvider>(clock));
        await sandbox.StartAsync();
        var sandboxAddress = sandbox.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var state = sandbox.Services.GetRequiredService<SandboxState>();

        // The factory looks for the app's content root (its Razor views' folder) under this name.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_SOSYABOT_WEB", Path.Combine(Repository.Root, "src", "Sosyabot.Web"));
        await using var app = new AcceleratedApp(database, sandboxAddress, clock);
        using var person = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, BaseAddress = new Uri("http://localhost") });
        await RemotePerson.RegisterAsync(person, "budget@sosyabot.test");
        var accounts = state.Everyone.Take(Channels).ToList();
        foreach (var account in accounts)
        {
            await RemotePerson.ConnectSandboxKeysAsync(person, account);
        }

        await QueueAsync(database, clock.GetUtcNow());
        var queued = HeavyChannels * HeavyPosts + (Channels - HeavyChannels) * LightPosts;
        var windows = (int)Math.Ceiling(Period / TimeSpan.FromMinutes(15));
        var allowed = Math.Min(PerAppPer24Hours,
            HeavyChannels * Math.Min(HeavyPosts, PerUserPer15Minutes * windows)
                + (Channels - HeavyChannels) * Math.Min(LightPosts, PerUserPer15Minutes * windows));

        // The period starts with the first post X receives and ends 23 simulated hours later.
        var realStart = DateTime.UtcNow;
        while (state.PostCount == 0 && DateTime.UtcNow - realStart < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(100);
        }
        var first = state.PostCount == 0 ? clock.GetUtcNow() : state.Posts.Min(p => p.CreatedAt);
        var end = first + Period;
        while (clock.GetUtcNow() < end)
        {
            await Task.Delay(clock.Real(end - clock.GetUtcNow()) + TimeSpan.FromMilliseconds(10));
        }
        var sent = state.Posts.Where(p => p.CreatedAt <= end).Select(p => p.CreatedAt).Order().ToList();
        var reached99 = sent.Count >= allowed * 0.99 ? sent[(int)Math.Ceiling(allowed * 0.99) - 1] - first : (TimeSpan?)null;
        return new Result(queued, allowed, sent.Count, state.RateLimitRefusals, state.DuplicateRefusals, reached99, factor, DateTime.UtcNow - realStart);
    }

    private static async Task QueueAsync(string database, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($$"""
            WITH ch AS (SELECT id, workspace_id, connected_by_user_id, row_number() OVER (ORDER BY handle) AS n FROM channels),
            p AS (
                INSERT INTO posts (id, workspace_id, created_by_user_id, created_at, due_at, parts)
                SELECT gen_random_uuid(), ch.workspace_id, ch.connected_by_user_id, @now, @now, ARRAY['budget ' || ch.id || ' ' || g]
                FROM ch, generate_series(1, CASE WHEN ch.n <= {{HeavyChannels}} THEN {{HeavyPosts}} ELSE {{LightPosts}} END) g
                RETURNING id, workspace_id, due_at, parts)
            INSERT INTO deliveries (id, post_id, workspace_id, channel_id, state, due_at, attempts, tweet_ids, x_media_ids)
            SELECT gen_random_uuid(), p.id, p.workspace_id, split_part(p.parts[1], ' ', 2)::uuid, 'queued', p.due_at, 0, '{}', '{}' FROM p
            """, connection);
        command.Parameters.AddWithValue("now", now);
        await command.ExecuteNonQueryAsync();
    }

    public sealed record Result(
        int Queued, int Allowed, int Sent, long RateLimited, long Duplicates, TimeSpan? To99Percent, double Factor, TimeSpan RealTime)
    {
        public string Share => $"{(double)Sent / Allowed:P1} ({Sent:N0} of {Allowed:N0})";

        public string Detail
        {
            get
            {
                var to99 = To99Percent is { } t
                    ? string.Create(CultureInfo.InvariantCulture, $"99% of the allowance sent {t.TotalHours:0.0} h after the first post")
                    : "99% never reached";
                return string.Create(CultureInfo.InvariantCulture,
                    $"{Queued:N0} queued for {Channels:N0} channels; clock x{Factor:0}, 23 h simulated in {RealTime.TotalSeconds:0} s; " +
                    $"{to99}; duplicates refused by X {Duplicates}");
            }
        }
    }

    // The app in this process on the shared clock, its publisher on, X at the sandbox.
    private sealed class AcceleratedApp(string database, string sandboxAddress, AcceleratedTimeProvider clock)
        : WebApplicationFactory<Sosyabot.Web.Data.SosyabotDbContext>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("DATABASE_URL", database);
            builder.UseSetting("BASE_URL", "http://localhost");
            builder.UseSetting("DATA_PROTECTION_KEY", AppProcess.DataProtectionKey);
            builder.UseSetting("X_API_BASE_URL", sandboxAddress);
            builder.UseSetting("X_AUTHORIZE_URL", sandboxAddress + "/i/oauth2/authorize");
            builder.UseSetting("X_WEB_BASE_URL", sandboxAddress);
            builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
            // A claim lasts 10 simulated hours here, a minute of real time: long enough for a busy machine.
            builder.UseSetting("PUBLISHER_CLAIM_LEASE_SECONDS", "36000");
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                // Polly reads the same clock: its timeouts are stretched so they stay what they are in real time.
                services.PostConfigureAll<HttpStandardResilienceOptions>(options =>
                {
                    options.AttemptTimeout.Timeout *= clock.Factor;
                    options.TotalRequestTimeout.Timeout *= clock.Factor;
                    options.CircuitBreaker.SamplingDuration *= clock.Factor;
                });
            });
        }
    }
}
