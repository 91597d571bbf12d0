using Sosyabot.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Sosyabot.Tests.Publishing;

// The official twitter-text conformance cases, read from ../shared where they are kept.
public static class TwitterTextConformance
{
    public sealed record Case(string Description, string Text, bool Valid, int? WeightedLength)
    {
        public override string ToString() => Description;
    }

    private static readonly Lazy<YamlMappingNode> Tests = new(() =>
    {
        using var reader = File.OpenText(SharedFiles.PathOf("conformance/twitter-text/validate.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("tests")];
    });

    public static IReadOnlyList<Case> TweetValidity => Section("tweets")
        .Select(node => new Case(Scalar(node, "description"), Scalar(node, "text"), bool.Parse(Scalar(node, "expected")), null))
        .ToList();

    // The WeightedTweetsWithDiscountedEmojiCounterTest cases (v3 weighting).
    public static IReadOnlyList<Case> WeightedWithDiscountedEmoji => Section("WeightedTweetsWithDiscountedEmojiCounterTest")
        .Select(node =>
        {
            var expected = (YamlMappingNode)node.Children[new YamlScalarNode("expected")];
            return new Case(Scalar(node, "description"), Scalar(node, "text"),
                bool.Parse(Scalar(expected, "valid")), int.Parse(Scalar(expected, "weightedLength"), System.Globalization.CultureInfo.InvariantCulture));
        })
        .ToList();

    public static TheoryData<Case> AsTheoryData(IEnumerable<Case> cases)
    {
        var data = new TheoryData<Case>();
        foreach (var item in cases)
        {
            data.Add(item);
        }
        return data;
    }

    private static IEnumerable<YamlMappingNode> Section(string name) =>
        ((YamlSequenceNode)Tests.Value.Children[new YamlScalarNode(name)]).Children.Cast<YamlMappingNode>();

    private static string Scalar(YamlMappingNode node, string key) =>
        ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value ?? "";
}
