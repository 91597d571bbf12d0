using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using Sosyabot.Web.Publishing;

namespace Sosyabot.XSandbox;

// A post's text as X gives it back, in its answer to POST /2/tweets and in every timeline: NFC-normalized,
// each link (as twitter-text finds it) replaced by a t.co link listed in Entities, a t.co link
// appended for attached media, and &, <, > HTML-escaped. Made once per post,
// so its t.co links stay the same on every read, as X's do.
public sealed record RenderedText(string Text, RenderedEntities? Entities)
{
    private const string SlugAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int DisplayUrlMaxLength = 26;

    public static RenderedText Of(string posted, string? mediaPermalink = null)
    {
        var text = posted.Normalize(NormalizationForm.FormC);
        var rendered = new StringBuilder(text.Length);
        var urls = new List<RenderedUrl>();
        var from = 0;
        foreach (var (start, length) in TweetText.ExtractUrls(text))
        {
            rendered.Append(text, from, start - from);
            var link = text.Substring(start, length);
            // X adds the scheme a link was posted without.
            var expanded = link.Contains("://", StringComparison.Ordinal) ? link : "http://" + link;
            urls.Add(Wrap(rendered, expanded, _ => DisplayUrl(expanded)));
            from = start + length;
        }
        rendered.Append(text, from, text.Length - from);
        if (mediaPermalink is not null)
        {
            rendered.Append(' ');
            urls.Add(Wrap(rendered, mediaPermalink, slug => "pic.x.com/" + slug));
        }
        return new RenderedText(Escape(rendered.ToString()), urls.Count == 0 ? null : new RenderedEntities(urls));
    }

    // X's indices count code points, and of the text before it escapes & < >.
    private static RenderedUrl Wrap(StringBuilder rendered, string expanded, Func<string, string> displayUrl)
    {
        var slug = RandomNumberGenerator.GetString(SlugAlphabet, 10);
        var tco = "https://t.co/" + slug;
        var start = rendered.ToString().Count(c => !char.IsLowSurrogate(c));
        rendered.Append(tco);
        return new RenderedUrl(start, start + tco.Length, tco, expanded, displayUrl(slug));
    }

    private static string DisplayUrl(string expanded)
    {
        var shown = expanded[(expanded.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return shown.Length <= DisplayUrlMaxLength ? shown : shown[..DisplayUrlMaxLength] + "…";
    }

    private static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}

public sealed record RenderedEntities([property: JsonPropertyName("urls")] IReadOnlyList<RenderedUrl> Urls);

public sealed record RenderedUrl(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("expanded_url")] string ExpandedUrl,
    [property: JsonPropertyName("display_url")] string DisplayUrl);
