using Xunit.Abstractions;

namespace Sosyabot.Tests.Infrastructure;

// The figures a drill or suite measured, written to the test output and to artifacts/reports/, which
// './service.sh test' prints after the run (xunit shows a passing test's output only at detailed verbosity).
public static class Report
{
    public static void Write(ITestOutputHelper output, string name, string text)
    {
        output.WriteLine(text);
        var folder = Path.Combine(Browser.BrowserSession.ScreenshotFolder, "..", "reports");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, name + ".txt"), text + Environment.NewLine);
    }
}
