namespace Sosyabot.Tests.Infrastructure;

// Files of ../shared, which sits beside the repository in every checkout and in CI.
public static class SharedFiles
{
    public static string PathOf(string relative) =>
        Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", relative));
}
