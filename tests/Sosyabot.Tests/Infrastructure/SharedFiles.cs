namespace Sosyabot.Tests.Infrastructure;

/// <summary>Files of ../shared, which sits beside the repository in every checkout and in CI.</summary>
public static class SharedFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string PathOf(string relative) =>
        Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", relative));

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Sosyabot.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("The tests do not run from inside the repository.");
    }
}
