namespace Sosyabot.TestHost;

public static class Repository
{
    // The checkout the tests or the benchmark were built in: the folder that holds Sosyabot.sln.
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sosyabot.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"Sosyabot.sln not found above {AppContext.BaseDirectory}: the tests and the benchmark run from inside the repository.");
    }
}
