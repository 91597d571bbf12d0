using System.Text;
using System.Text.RegularExpressions;
using Sosyabot.Web.X;

namespace Sosyabot.Web.Publishing;

// Whether a post X gives back is the text that was sent. X never returns it byte for byte: each link
// becomes a t.co link, & < > come back as entities, the text is NFC-normalized, and media (or a quote)
// adds a t.co link at the end. So links are compared as placeholders (and by their expanded URLs where
// X says them), the rest after undoing exactly those rewrites.
internal static partial class SentTextMatch
{
    private const char Link = '\uFFFC';

    public static bool IsSameText(string sent, XTweet returned)
    {
        var (text, entities) = returned.NoteTweet is { } note ? (note.Text, note.Entities) : (returned.Text, returned.Entities);
        var sentText = sent.Normalize(NormalizationForm.FormC);
        var sentLinks = TweetText.ExtractUrls(sentText).ToList();
        if (ReturnedLinks(text, entities?.Urls) is not { } returnedLinks || returnedLinks.Count < sentLinks.Count)
        {
            return false;
        }

        // Links past the sent ones are X's own (media, a quote) and may only trail the text.
        var end = returnedLinks.Count > sentLinks.Count ? returnedLinks[sentLinks.Count].Start : text.Length;
        var trailing = Shape(text[end..], [.. returnedLinks.Skip(sentLinks.Count).Select(l => (l.Start - end, l.Length))]);
        var returnedShape = Unescape(Shape(text[..end], [.. returnedLinks.Take(sentLinks.Count).Select(l => (l.Start, l.Length))]));
        if (trailing.Any(c => c is not (Link or ' ')) || returnedShape != Shape(sentText, sentLinks))
        {
            return false;
        }
        return sentLinks.Zip(returnedLinks).All(pair =>
            pair.Second.ExpandedUrl is not { } expanded || IsSameUrl(sentText.Substring(pair.First.Start, pair.First.Length), expanded));
    }

    // The t.co links in the text, in order: where X listed them, those (their url, since the indices count
    // code points of the unescaped text), otherwise every t.co link in it. Null if the list and the text disagree.
    private static List<(int Start, int Length, string? ExpandedUrl)>? ReturnedLinks(string text, IReadOnlyList<XUrlEntity>? urls)
    {
        if (urls is not { Count: > 0 })
        {
            return [.. TcoLink().Matches(text).Select(m => (m.Index, m.Length, (string?)null))];
        }
        var links = new List<(int, int, string?)>();
        var from = 0;
        foreach (var url in urls.OrderBy(u => u.Start))
        {
            var at = text.IndexOf(url.Url, from, StringComparison.Ordinal);
            if (at < 0)
            {
                return null;
            }
            links.Add((at, url.Url.Length, url.ExpandedUrl));
            from = at + url.Url.Length;
        }
        return links;
    }

    private static string Shape(string text, IReadOnlyList<(int Start, int Length)> links)
    {
        var shape = new StringBuilder(text.Length);
        var from = 0;
        foreach (var (start, length) in links)
        {
            shape.Append(text, from, start - from).Append(Link);
            from = start + length;
        }
        return Collapse(shape.Append(text, from, text.Length - from).ToString());
    }

    private static string Unescape(string text) =>
        XEscape().Replace(text, m => m.Groups[1].Value switch { "amp" => "&", "lt" => "<", _ => ">" });

    private static string Collapse(string text) => Whitespace().Replace(text.Normalize(NormalizationForm.FormC), " ").Trim();

    // X adds a scheme to a link posted without one (example.com/a comes back as http://example.com/a).
    private static bool IsSameUrl(string sent, string expanded) =>
        sent == expanded
        || !sent.Contains("://", StringComparison.Ordinal)
            && (expanded == "http://" + sent || expanded == "https://" + sent);

    [GeneratedRegex(@"https?://t\.co/[A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex TcoLink();

    [GeneratedRegex("&(amp|lt|gt);", RegexOptions.CultureInvariant)]
    private static partial Regex XEscape();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
