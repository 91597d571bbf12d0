using Sosyabot.Web.Publishing;

namespace Sosyabot.Tests.Publishing;

public sealed class TweetTextTests
{
    public static TheoryData<TwitterTextConformance.Case> WeightedCases =>
        TwitterTextConformance.AsTheoryData(TwitterTextConformance.WeightedWithDiscountedEmoji);

    public static TheoryData<TwitterTextConformance.Case> ValidityCases => TwitterTextConformance.AsTheoryData(TwitterTextConformance.TweetValidity);

    [Theory]
    [MemberData(nameof(WeightedCases))]
    public void Measure_WeightedTweetsWithDiscountedEmojiCase_MatchesTwitterText(TwitterTextConformance.Case conformance)
    {
        var measured = TweetText.Measure(conformance.Text);

        Assert.Equal(conformance.WeightedLength, measured.WeightedLength);
        Assert.Equal(conformance.Valid, measured.IsValid);
    }

    // twitter-text's own runner checks these with configs.version1: they are the 140-character cases.
    [Theory]
    [MemberData(nameof(ValidityCases))]
    public void Measure_TweetValidityCase_MatchesTwitterText(TwitterTextConformance.Case conformance)
    {
        Assert.Equal(conformance.Valid, TweetText.Measure(conformance.Text, TwitterTextConfig.V1).IsValid);
    }

    [Fact]
    public void Conformance_Cases_AreAllRead()
    {
        Assert.Equal(22, TwitterTextConformance.WeightedWithDiscountedEmoji.Count);
        Assert.Equal(8, TwitterTextConformance.TweetValidity.Count);
    }
}
