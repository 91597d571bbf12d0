using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Sosyabot.Tests.Publishing;
using Sosyabot.Web.Publishing;
using Sosyabot.XSandbox;
using Xunit.Abstractions;

namespace Sosyabot.Tests.Reliability;

// Oversized uploads meet the app as a separate process, its memory read from /proc the whole time: four 60 MB
// attempts at once through the composer and four through the API, then four 15 MB non-images each way, which
// are read and judged. Each is refused with a message saying why, and the process stays under 400 MB (before
// the limits, four 60 MB posts took it from 511 to 927 MB).
[Collection(DrillsCollection.Name)]
public sealed class UploadMemoryTests(ITestOutputHelper output)
{
    private const long LimitBytes = 400L * 1024 * 1024;
    private const int Attempt = 60 * 1024 * 1024;

    [Fact]
    public async Task FourConcurrent60MbUploads_ComposerAndApi_RefusedClearlyAndRssStaysUnder400Mb()
    {
        await using var drill = await Drill.StartAsync();
        await using var node = await AppProcess.StartAsync(drill.Environment(publisher: false));
        using var person = await RemotePerson.RegisterAsync(node.Address, "upload-memory@sosyabot.test");
        var channel = await RemotePerson.ConnectSandboxKeysAsync(person, SandboxState.Accounts[1]);
        // Both wait for the server's go-ahead before sending a body (Expect: 100-continue) however busy the machine is,
        // as a careful client does: a refused body is then never sent, and the refusal always arrives.
        using var agent = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) })
        {
            BaseAddress = new Uri(node.Address), Timeout = TimeSpan.FromMinutes(2),
        };
        using var careful = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1), CookieContainer = person.Cookies })
        {
            BaseAddress = new Uri(node.Address), Timeout = TimeSpan.FromMinutes(2),
        };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await RemotePerson.CreateTokenAsync(person));
        var composer = await person.GetDocumentAsync("/app/publishing");
        var png = TestImages.Png(Attempt);
        var json = Encoding.UTF8.GetBytes($$"""{"text": "Sixty megabytes", "media": [{"data": "{{Convert.ToBase64String(png)}}"}]}""");

        using var sampler = new RssSampler(node.ProcessId);
        var before = sampler.Peak;
        var pages = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var response = await careful.SubmitWithFilesAsync(composer, "#publish",
                new Dictionary<string, string> { ["Compose.Parts[0]"] = $"Sixty megabytes {i}", ["Compose.ChannelIds"] = channel.ToString() },
                [("Compose.Images", $"huge-{i}.png", Typed(new ByteArrayContent(png), "image/png"))], expectContinue: true);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        var api = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/channels/{channel}/posts")
            {
                Content = Typed(new ByteArrayContent(json), "application/json"),
            };
            request.Headers.ExpectContinue = true;
            using var response = await agent.SendAsync(request);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        var peakRefused = sampler.Peak;

        // Within the request limits, read and judged: files that are not images, four at once each way.
        var text = new byte[ImageContent.MaxGifBytes];
        Array.Fill(text, (byte)'x');
        var textJson = Encoding.UTF8.GetBytes($$"""{"text": "Fifteen megabytes of text", "media": [{"data": "{{Convert.ToBase64String(text)}}"}]}""");
        var pagesWithin = await Task.WhenAll(Enumerable.Range(0, 4).Select(async i =>
        {
            using var response = await person.SubmitWithFilesAsync(composer, "#publish",
                new Dictionary<string, string> { ["Compose.Parts[0]"] = $"Fifteen megabytes {i}", ["Compose.ChannelIds"] = channel.ToString() },
                [("Compose.Images", $"notes-{i}.png", Typed(new ByteArrayContent(text), "image/png"))]);
            return await response.Content.ReadAsStringAsync();
        }));
        var peakComposer = sampler.Peak;
        var apiWithin = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using var response = await agent.PostAsync($"/api/v1/channels/{channel}/posts", Typed(new ByteArrayContent(textJson), "application/json"));
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }));
        var peak = sampler.Peak;

        output.WriteLine($"RSS before {Mb(before)}, peak while refusing 60 MB {Mb(peakRefused)}, " +
            $"after the composer's 15 MB files {Mb(peakComposer)}, after the API's {Mb(peak)}");
        Assert.All(pages, page =>
        {
            Assert.Equal(413, page.Item1);
            Assert.Contains("A post carries up to 4 images of 5 MB each, or one GIF of 15 MB", page.Item2);
        });
        Assert.All(api, problem =>
        {
            Assert.Equal(413, problem.Item1);
            Assert.Contains("The request body is too large", problem.Item2);
            Assert.Contains("4 images of 5 MB each, or one GIF of 15 MB", problem.Item2);
        });
        Assert.All(pagesWithin.Select((page, i) => (page, i)), p => Assert.Contains($"notes-{p.i}.png is not a PNG, JPEG, GIF or WEBP image.", p.page));
        Assert.All(apiWithin, problem =>
        {
            Assert.Equal(400, problem.Item1);
            Assert.Contains("image-1 is not a PNG, JPEG, GIF or WEBP image.", problem.Item2);
        });
        Assert.True(peak < LimitBytes, $"The app's RSS peaked at {Mb(peak)} (from {Mb(before)}).");
        var stillUp = await agent.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, stillUp.StatusCode);
    }

    private static ByteArrayContent Typed(ByteArrayContent content, string type)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0 MB", CultureInfo.InvariantCulture);

    // Reads VmRSS of a process every 10 ms until disposed, keeping the highest.
    private sealed class RssSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private readonly int _pid;
        private long _peak;

        public RssSampler(int pid)
        {
            _pid = pid;
            _peak = Read();
            _sampling = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    var now = Read();
                    if (now > Interlocked.Read(ref _peak))
                    {
                        Interlocked.Exchange(ref _peak, now);
                    }
                    await Task.Delay(10, CancellationToken.None);
                }
            });
        }

        public long Peak => Interlocked.Read(ref _peak);

        public void Dispose()
        {
            _stop.Cancel();
            _sampling.Wait();
            _stop.Dispose();
        }

        private long Read()
        {
            var line = File.ReadLines($"/proc/{_pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        }
    }
}
