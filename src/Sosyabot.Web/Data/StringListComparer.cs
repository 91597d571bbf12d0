using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Sosyabot.Web.Data;

// Change tracking for text[] columns mapped as List<T> of strings. EF's default comparer for
// primitive collections is compiled from an expression with nested lambdas, which builds a new delegate from a
// dynamic method every time a row is tracked; under load some 15 % of the app's CPU went to finalizing
// those methods. These expressions call plain static methods instead.
public sealed class StringListComparer() : ValueComparer<List<string>>(
    (left, right) => AreEqual(left, right),
    list => HashOf(list),
    list => Copy(list))
{
    private static bool AreEqual(List<string>? left, List<string>? right) =>
        left is null ? right is null : right is not null && left.SequenceEqual(right, StringComparer.Ordinal);

    private static int HashOf(List<string> list)
    {
        var hash = new HashCode();
        foreach (var item in list)
        {
            hash.Add(item, StringComparer.Ordinal);
        }
        return hash.ToHashCode();
    }

    private static List<string> Copy(List<string> list) => [.. list];
}
