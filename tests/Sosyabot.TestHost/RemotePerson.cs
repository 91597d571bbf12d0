using System.Net;
using AngleSharp.Dom;
using Sosyabot.XSandbox;

namespace Sosyabot.TestHost;

// A person using the app through its pages, over HTTP: an app that runs elsewhere (a process, a Kestrel port)
// or in this process (any HttpClient that keeps cookies). Failures throw rather than assert: the benchmark
// uses this too, and a test fails the same way with the same message.
public static class RemotePerson
{
    public static async Task<BrowserClient> RegisterAsync(string address, string email)
    {
        var person = new BrowserClient(
            () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, new CookieContainer(), followRedirects: true)
        {
            BaseAddress = new Uri(address),
        };
        await RegisterAsync(person, email);
        return person;
    }

    public static async Task RegisterAsync(HttpClient person, string email)
    {
        var register = await person.GetDocumentAsync("/account/register");
        using var registered = await person.SubmitAsync(register, "#register", new Dictionary<string, string>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "a-long-enough-password",
            ["Input.ConfirmPassword"] = "a-long-enough-password",
        });
        var landed = registered.RequestMessage!.RequestUri!.AbsolutePath;
        if (landed != "/app/channels")
        {
            throw new InvalidOperationException($"Registering {email} landed on {landed}, not /app/channels.");
        }
    }

    // Connects a sandbox account with the sandbox developer app's keys; returns the channel id.
    public static async Task<Guid> ConnectSandboxKeysAsync(HttpClient person, SandboxAccount account)
    {
        var keys = new ByokKeys(account.Id, account.Username, SandboxAuth.ConsumerKey, SandboxAuth.ConsumerSecret, SandboxAuth.AppBearerToken,
            account.AccessToken, account.AccessTokenSecret);
        var page = await SubmitApiKeysAsync(person, keys);
        if (page.QuerySelector(".flash-success") is null)
        {
            throw new InvalidOperationException($"Connecting @{account.Username} failed: {page.QuerySelector(".flash-error")?.TextContent}");
        }
        var row = page.QuerySelector($"li.channel[data-handle='{account.Username}'] a.handle")!.GetAttribute("href")!;
        return Guid.Parse(row.Split('/')[^1]);
    }

    // Fills in "Connect with API keys" on /app/channels and returns the page the browser lands on.
    public static async Task<IDocument> SubmitApiKeysAsync(HttpClient person, ByokKeys keys, IReadOnlyDictionary<string, string>? overrides = null)
    {
        var page = await person.GetDocumentAsync("/app/channels");
        var values = keys.FormValues();
        foreach (var (name, value) in overrides ?? new Dictionary<string, string>())
        {
            values[name] = value;
        }
        using var response = await person.SubmitAsync(page, "#connect-api-keys", values);
        return await HtmlForms.ParseAsync(response);
    }

    // Every scope: what an agent driving the whole API needs.
    public static Task<string> CreateTokenAsync(HttpClient person) => CreateTokenAsync(person, ["read", "write", "dm"]);

    // Creates a token on Settings → API tokens and reads it off the page, the one time it is shown.
    public static async Task<string> CreateTokenAsync(HttpClient person, IEnumerable<string> scopes)
    {
        var page = await person.GetDocumentAsync("/app/settings/api-tokens");
        var form = page.QuerySelector("#create-token")!;
        foreach (var box in form.QuerySelectorAll("input[type=checkbox]"))
        {
            box.RemoveAttribute("checked");
        }
        var name = "agent-" + Guid.NewGuid().ToString("N")[..8];
        // HtmlForms posts one value per name; scopes repeat, so the form is posted by hand with the page's antiforgery token.
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!),
            new("Input.Name", name),
        };
        fields.AddRange(scopes.Select(s => new KeyValuePair<string, string>("Input.Scopes", s)));
        using var response = await person.PostAsync("/app/settings/api-tokens?handler=Create", new FormUrlEncodedContent(fields));
        var shown = await HtmlForms.ParseAsync(response);
        return shown.QuerySelector("#token-secret")?.GetAttribute("value")
               ?? throw new InvalidOperationException("No token shown: " + shown.QuerySelector(".flash-error")?.TextContent);
    }
}
