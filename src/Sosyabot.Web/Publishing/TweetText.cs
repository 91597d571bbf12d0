using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Sosyabot.Web.Publishing;

// How X measures a post: the weighted length and whether X would accept it.
internal sealed record TweetLength(int WeightedLength, bool IsValid);

internal sealed record TwitterTextConfig(
    int MaxWeightedLength, int Scale, int DefaultWeight, bool EmojiParsingEnabled, int TransformedUrlLength,
    IReadOnlyList<(int Start, int End, int Weight)> Ranges)
{
    // What X counts today: 280, CJK and most symbols weigh 2, URLs 23, an emoji sequence 2.
    public static readonly TwitterTextConfig V3 = new(280, 100, 200, true, 23,
        [(0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100)]);

    // The original 140-code-point rule; the conformance suite's tweets cases still use it.
    public static readonly TwitterTextConfig V1 = new(140, 1, 1, false, 23, []);
}

// A port of twitter-text 3.1.0's parseTweet, by default with its v3 configuration: code points
// weigh 2 except the ranges that weigh 1, every URL weighs 23 and every emoji sequence 2. The regular
// expressions are the library's own (TwitterTextPatterns, generated from the package),
// so the server agrees with the composer's counter, which runs the library itself, and with X.
// Internal because the XSandbox compiles this file too, to find links in a post as X does.
internal static class TweetText
{
    public const int MaxWeightedLength = 280;

    private const int MaxUrlLength = 4096;
    private const int MaxTcoSlugLength = 40;
    private const int MaxDomainLabelLength = 63;
    private const string DefaultProtocol = "https://";

    private const RegexOptions JsIgnoreCase = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    // These run on whatever people type. The patterns are twitter-text's own and linear on real text, but a
    // backtracking engine gives no such promise on crafted input: a bound turns a pathological text into a
    // refusal (RegexMatchTimeoutException) instead of a request that holds a thread.
    public static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly Regex ExtractUrl = new(TwitterTextPatterns.ExtractUrl, JsIgnoreCase, MatchTimeout);
    private static readonly Regex InvalidUrlWithoutProtocolPrecedingChars =
        new(TwitterTextPatterns.InvalidUrlWithoutProtocolPrecedingChars, RegexOptions.None, MatchTimeout);
    private static readonly Regex ValidAsciiDomain = new(TwitterTextPatterns.ValidAsciiDomain, JsIgnoreCase, MatchTimeout);
    private static readonly Regex ValidTcoUrl = new(TwitterTextPatterns.ValidTcoUrl, JsIgnoreCase, MatchTimeout);
    private static readonly Regex InvalidChars = new(TwitterTextPatterns.InvalidChars, RegexOptions.None, MatchTimeout);
    private static readonly Regex Emoji = new(TwitterTextPatterns.Emoji, RegexOptions.None, MatchTimeout);
    private static readonly IdnMapping Idn = new() { AllowUnassigned = true };

    public static TweetLength Measure(string? text) => Measure(text, TwitterTextConfig.V3);

    public static TweetLength Measure(string? text, TwitterTextConfig config)
    {
        var normalized = (text ?? "").Normalize(NormalizationForm.FormC);
        var urls = new Dictionary<int, int>();
        foreach (var (start, urlSpan) in ExtractUrls(normalized))
        {
            urls[start] = urlSpan;
        }
        var emoji = new Dictionary<int, int>();
        if (config.EmojiParsingEnabled)
        {
            foreach (Match match in Emoji.Matches(normalized))
            {
                emoji[match.Index] = match.Length;
            }
        }

        var weighted = 0;
        var valid = true;
        for (var i = 0; i < normalized.Length; i++)
        {
            if (urls.TryGetValue(i, out var urlLength))
            {
                weighted += config.TransformedUrlLength * config.Scale;
                i += urlLength - 1;
            }
            else if (emoji.TryGetValue(i, out var emojiLength))
            {
                weighted += config.DefaultWeight;
                i += emojiLength - 1;
            }
            else
            {
                // As twitter-text does: a surrogate pair is weighed by its high surrogate, i.e. the default weight.
                var first = normalized[i];
                i += char.IsSurrogatePair(normalized, i) ? 1 : 0;
                weighted += Weight(first, config);
            }
            valid = valid && !InvalidChars.IsMatch(normalized.AsSpan(i, 1));
        }

        var length = weighted / config.Scale;
        return new TweetLength(length, valid && weighted > 0 && length <= config.MaxWeightedLength);
    }

    private static int Weight(char c, TwitterTextConfig config)
    {
        foreach (var (start, end, weight) in config.Ranges)
        {
            if (c >= start && c <= end)
            {
                return weight;
            }
        }
        return config.DefaultWeight;
    }

    // Offsets are UTF-16 and into the text as given: callers that compare with X normalize to NFC first, as X does.
    public static IEnumerable<(int Start, int Length)> ExtractUrls(string text)
    {
        if (!text.Contains('.'))
        {
            yield break;
        }
        for (var match = ExtractUrl.Match(text); match.Success; match = match.NextMatch())
        {
            var before = match.Groups[2].Value;
            var url = match.Groups[3].Value;
            var protocol = match.Groups[4].Value;
            var domain = match.Groups[5].Value;
            var path = match.Groups[7].Value;
            var end = match.Index + match.Length;
            var start = end - url.Length;

            if (!IsValidUrl(url, protocol.Length > 0 ? protocol : DefaultProtocol, domain))
            {
                continue;
            }
            if (protocol.Length == 0)
            {
                if (InvalidUrlWithoutProtocolPrecedingChars.IsMatch(before))
                {
                    continue;
                }
                (int Start, int Length)? last = null;
                var asciiEnd = 0;
                foreach (Match ascii in ValidAsciiDomain.Matches(domain))
                {
                    var asciiStart = domain.IndexOf(ascii.Value, asciiEnd, StringComparison.Ordinal);
                    asciiEnd = asciiStart + ascii.Length;
                    if (last is { } previous)
                    {
                        yield return previous;
                    }
                    last = (start + asciiStart, ascii.Length);
                }
                if (last is not { } lastUrl)
                {
                    continue;
                }
                // Only the domain was matched so far; the path and query belong to the last URL.
                yield return path.Length > 0 ? (lastUrl.Start, end - lastUrl.Start) : lastUrl;
            }
            else
            {
                var tco = ValidTcoUrl.Match(url);
                if (tco.Success)
                {
                    if (tco.Groups[1].Length > MaxTcoSlugLength)
                    {
                        continue;
                    }
                    url = tco.Value;
                }
                yield return (start, url.Length);
            }
        }
    }

    private static bool IsValidUrl(string url, string protocol, string domain)
    {
        if (ToAsciiDomain(domain) is not { Length: > 0 } asciiDomain)
        {
            return false;
        }
        return protocol.Length + url.Length + asciiDomain.Length - domain.Length <= MaxUrlLength;
    }

    // twitter-text's idna.toAscii: every label must punycode-encode to 1..63 characters; the domain is
    // returned as given, so only the validity (not the length) changes with the encoding.
    private static string? ToAsciiDomain(string domain)
    {
        if (domain.StartsWith("xn--", StringComparison.Ordinal) && !ValidAsciiDomain.IsMatch(domain))
        {
            return null;
        }
        foreach (var label in domain.Split('.'))
        {
            int encodedLength;
            try
            {
                encodedLength = label.All(char.IsAscii) ? label.Length : Idn.GetAscii(label).Length;
            }
            catch (ArgumentException)
            {
                return null;
            }
            if (encodedLength is < 1 or > MaxDomainLabelLength)
            {
                return null;
            }
        }
        return domain;
    }
}
