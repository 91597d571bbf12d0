using Sosyabot.Web.Publishing;
using Sosyabot.Web.X;

namespace Sosyabot.Tests.Publishing;

public sealed class SentTextMatchTests
{
    private const string Sent = "Read this & that: https://example.com/a?b=1&c=2 <now>";
    private const string AsXReturnsIt = "Read this &amp; that: https://t.co/AbCdEf1234 &lt;now&gt;";

    private static XTweet Returned(string text, params XUrlEntity[] urls) =>
        new("1", text, null, Entities: urls.Length == 0 ? null : new XTweetEntities(urls));

    private static XUrlEntity Url(int start, string tco, string expanded) => new(start, start + tco.Length, tco, expanded, null);

    [Fact]
    public void IsSameText_LinkRewrittenAndEntitiesEscapedWithoutEntities_Matches()
    {
        Assert.True(SentTextMatch.IsSameText(Sent, Returned(AsXReturnsIt)));
    }

    [Fact]
    public void IsSameText_LinkRewrittenWithItsExpandedUrl_Matches()
    {
        Assert.True(SentTextMatch.IsSameText(Sent, Returned(AsXReturnsIt, Url(18, "https://t.co/AbCdEf1234", "https://example.com/a?b=1&c=2"))));
    }

    [Fact]
    public void IsSameText_LinkSentWithoutSchemeAndExpandedWithHttp_Matches()
    {
        var returned = Returned("see https://t.co/AbCdEf1234 now", Url(4, "https://t.co/AbCdEf1234", "http://example.com/a"));

        Assert.True(SentTextMatch.IsSameText("see example.com/a now", returned));
    }

    [Fact]
    public void IsSameText_MediaLinkAppended_Matches()
    {
        var returned = Returned("Look https://t.co/AbCdEf1234 https://t.co/Media12345",
            Url(5, "https://t.co/AbCdEf1234", "https://example.com/"),
            Url(29, "https://t.co/Media12345", "https://x.com/alice/status/1/photo/1"));

        Assert.True(SentTextMatch.IsSameText("Look https://example.com/", returned));
        Assert.True(SentTextMatch.IsSameText("Just a photo", Returned("Just a photo https://t.co/Media12345")));
    }

    [Fact]
    public void IsSameText_WhitespaceAndUnicodeNormalizedByX_Matches()
    {
        // "é" sent decomposed (e + combining acute) comes back composed, and X trims the text.
        Assert.True(SentTextMatch.IsSameText("Cafe\u0301  time\n", Returned("Caf\u00e9 time")));
    }

    [Fact]
    public void IsSameText_LongPost_ComparesTheNoteTweetText()
    {
        var returned = new XTweet("1", "Long text cut short… https://t.co/Note123456", null,
            NoteTweet: new XNoteTweet("Long text cut short by X but whole here &amp; https://t.co/AbCdEf1234", null));

        Assert.True(SentTextMatch.IsSameText("Long text cut short by X but whole here & https://example.com", returned));
    }

    [Theory]
    [InlineData("Read this & those: https://example.com/a?b=1&c=2 <now>")]
    [InlineData("Read this & that: https://example.com/a?b=1&c=2 <now> again")]
    [InlineData("Read this & that: <now>")]
    [InlineData("Read this & that: https://example.com/a https://example.com/b <now>")]
    public void IsSameText_DifferentText_DoesNotMatch(string sent)
    {
        Assert.False(SentTextMatch.IsSameText(sent, Returned(AsXReturnsIt)));
    }

    [Fact]
    public void IsSameText_DifferentExpandedLink_DoesNotMatch()
    {
        var returned = Returned(AsXReturnsIt, Url(18, "https://t.co/AbCdEf1234", "https://example.com/other"));

        Assert.False(SentTextMatch.IsSameText(Sent, returned));
    }

    [Fact]
    public void IsSameText_ExtraWordAfterTheLinks_DoesNotMatch()
    {
        Assert.False(SentTextMatch.IsSameText("Just a photo", Returned("Just a photo https://t.co/Media12345 more")));
        Assert.False(SentTextMatch.IsSameText("Just a photo", Returned("Just a photo more")));
    }

    [Fact]
    public void IsSameText_EscapedTextSent_IsComparedWithXsDoubleEscape()
    {
        Assert.True(SentTextMatch.IsSameText("AT&amp;T", Returned("AT&amp;amp;T")));
        Assert.False(SentTextMatch.IsSameText("AT&amp;T", Returned("AT&amp;T")));
    }
}
