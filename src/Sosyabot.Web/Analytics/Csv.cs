using System.Text;

namespace Sosyabot.Web.Analytics;

// RFC 4180 fields, and text that a spreadsheet would run as a formula made inert: a cell starting with
// = + - @ (or a tab or carriage return, which some spreadsheets skip before looking) gets a leading
// apostrophe (OWASP's CSV injection advice). Numbers are written by the caller and never pass through Text.
public static class Csv
{
    public static string Text(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }
        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }

    public static string Line(params string[] fields) => string.Join(',', fields) + "\r\n";

    public static byte[] Utf8(StringBuilder csv) => Encoding.UTF8.GetBytes(csv.ToString());
}
