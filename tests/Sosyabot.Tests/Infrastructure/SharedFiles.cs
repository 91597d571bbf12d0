namespace Sosyabot.Tests.Infrastructure;

/// <summary>Files of ../shared, which sits beside the repository in every checkout and in CI.</summary>
public static class SharedFiles
{
    public static string PathOf(string relative) =>
        Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", relative));
}
