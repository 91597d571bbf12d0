using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;

namespace Sosyabot.TestHost;

// Reads pages and posts their forms as a browser would, antiforgery token included.
public static class HtmlForms
{
    public static async Task<IDocument> GetDocumentAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        // An exception rather than an xunit assertion: the benchmark uses this too. A test fails the same way.
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
        }
        return await ParseAsync(response);
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var address = response.RequestMessage!.RequestUri!.ToString();
        return await BrowsingContext.New().OpenAsync(request => request.Content(html).Address(address));
    }

    // Submits a multipart form the way a browser sends one with files chosen: the page's fields as SubmitAsync
    // collects them, then each file (field name, file name, content with its declared type).
    public static async Task<HttpResponseMessage> SubmitWithFilesAsync(
        this HttpClient client, IDocument page, string submitSelector, IReadOnlyDictionary<string, string> values,
        IEnumerable<(string Name, string FileName, HttpContent Content)> files, bool expectContinue = false)
    {
        var (action, fields) = FormOf(page, submitSelector, values);
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }
        foreach (var (name, fileName, file) in files)
        {
            content.Add(file, name, fileName);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = content };
        // A client that waits for the server's go-ahead sends nothing of a body the server refuses by its length.
        request.Headers.ExpectContinue = expectContinue;
        return await client.SendAsync(request);
    }

    // Submits the form that holds submitSelector with the page's own fields (hidden antiforgery token, checked
    // radios, prefilled inputs) overridden by values.
    public static async Task<HttpResponseMessage> SubmitAsync(
        this HttpClient client, IDocument page, string submitSelector, IReadOnlyDictionary<string, string>? values = null)
    {
        var (action, fields) = FormOf(page, submitSelector, values);
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(action, content);
    }

    private static (string Action, List<KeyValuePair<string, string>> Fields) FormOf(
        IDocument page, string submitSelector, IReadOnlyDictionary<string, string>? values)
    {
        var submit = page.QuerySelector(submitSelector) ?? throw new InvalidOperationException($"No '{submitSelector}' on {page.Url}");
        var form = submit.Closest("form") as IHtmlFormElement ?? throw new InvalidOperationException($"'{submitSelector}' is not in a form");

        var fields = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll<IHtmlInputElement>("input[name]"))
        {
            // A file input's files are the caller's (SubmitWithFilesAsync), never its value.
            if (input.Type is "radio" or "checkbox" && !input.IsChecked || input.Type == "file")
            {
                continue;
            }
            fields.Add(new(input.Name!, input.Value));
        }
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields.RemoveAll(f => f.Key == name);
            fields.Add(new(name, value));
        }

        // The formAction property falls back to the page's URL, so only an explicit attribute overrides the form.
        var action = (submit.HasAttribute("formaction") ? ((IHtmlButtonElement)submit).FormAction : form.Action) ?? page.Url;
        return (action, fields);
    }
}
