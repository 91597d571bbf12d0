using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sosyabot.TestHost;

// The app as its own OS process (the build's Sosyabot.Web.dll), as a node of a deployment is: started with
// environment variables, killed with SIGKILL. For the crash and scale-out drills and the benchmark.
public sealed class AppProcess : IAsyncDisposable
{
    // A cold start (JIT, first key, first query) beside other CPU-heavy work on two cores has taken over 20 s.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Address => $"http://127.0.0.1:{Port}";

    public int ProcessId => _process.Id;

    // The last lines the process wrote, for a failure message.
    public string Tail => string.Join("\n", _output.TakeLast(30));

    // The key-encryption key every test host and the bench start the app with (a test of a missing or different KEK
    // overrides it). Fixed, so two hosts on one database are nodes of one instance.
    public const string DataProtectionKey = "MbGPWphK6cqDBR5K4w4OZBfEEl+yWUQLP0klBTK1aA0=";

    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet", WebDll())
        {
            WorkingDirectory = Path.GetDirectoryName(WebDll())!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in new[]
                 {
                     "DATABASE_URL", "TWITTER_CLIENT_ID", "TWITTER_CLIENT_SECRET", "ADMIN_EMAIL", "ADMIN_PASSWORD", "ASPNETCORE_URLS",
                     "DATA_PROTECTION_PREVIOUS_KEYS",
                 })
        {
            start.Environment.Remove(name);
        }
        // Every node of one test instance shares the key-encryption key, as a real instance's nodes do.
        start.Environment["DATA_PROTECTION_KEY"] = DataProtectionKey;
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["BASE_URL"] = $"http://127.0.0.1:{port}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var app = new AppProcess(process, port);
        process.OutputDataReceived += (_, line) => app.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => app.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited during start-up:\n{app.Tail}");
            }
            try
            {
                using var health = await probe.GetAsync($"{app.Address}/healthz");
                if (health.IsSuccessStatusCode)
                {
                    return app;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the probe's timeout.
            }
            await Task.Delay(50);
        }
        app.Kill();
        throw new TimeoutException($"The app did not answer /healthz within {StartTimeout.TotalSeconds:0} s:\n{app.Tail}");
    }

    // SIGKILL: no shutdown hooks, no flushing, the way a node dies when its machine does.
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.WaitForExit();
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }
    }

    // The Sosyabot.Web.dll built with the same configuration as the tests or the benchmark running this.
    private static string WebDll()
    {
        var callerBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = callerBin.Name;
        var configuration = callerBin.Parent!.Name;
        for (var dir = callerBin; dir is not null; dir = dir.Parent)
        {
            var dll = Path.Combine(dir.FullName, "src", "Sosyabot.Web", "bin", configuration, framework, "Sosyabot.Web.dll");
            if (File.Exists(dll))
            {
                return dll;
            }
        }
        throw new FileNotFoundException($"Sosyabot.Web.dll ({configuration}) was not built next to {callerBin.FullName}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
