using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Sosyabot.Web.Data;
using Sosyabot.Web.Identity;

namespace Sosyabot.Tests.Infrastructure;

// What someone holding a copy of the database has, and what they would try with it: pg_dump's plain SQL, its rows,
// a DataProtection provider loaded with its key ring, and a sign-in cookie forged with that provider.
public static class DatabaseCopy
{
    public const string PgBin = "/usr/lib/postgresql/15/bin";

    public static async Task<string> DumpAsync(TestDatabase database)
    {
        var (exit, output, errors) = await RunAsync("pg_dump", database, ["--no-owner", "--no-privileges"], stdin: null);
        Assert.True(exit == 0, errors);
        return output;
    }

    // Loads a plain dump into an empty database (TestDatabase.CreateEmptyAsync), as restoring a backup would.
    public static async Task RestoreAsync(string dump, TestDatabase into)
    {
        var (exit, _, errors) = await RunAsync("psql", into, ["-v", "ON_ERROR_STOP=1", "-q"], stdin: dump);
        Assert.True(exit == 0, errors);
    }

    // The rows of one table's COPY block, by column name (null for \N).
    public static List<Dictionary<string, string?>> Rows(string dump, string table)
    {
        var lines = dump.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith($"COPY public.{table} (", StringComparison.Ordinal)
                                                || l.StartsWith($"COPY public.\"{table}\" (", StringComparison.Ordinal));
        Assert.True(start >= 0, $"no COPY block for {table} in the dump");
        var header = lines[start];
        var columns = header[(header.IndexOf('(', StringComparison.Ordinal) + 1)..header.LastIndexOf(')')]
            .Split(", ").Select(c => c.Trim('"')).ToArray();
        var rows = new List<Dictionary<string, string?>>();
        for (var i = start + 1; lines[i] != "\\."; i++)
        {
            var values = lines[i].Split('\t');
            rows.Add(columns.Select((c, j) => (c, v: values[j] == "\\N" ? null : Unescape(values[j]))).ToDictionary(x => x.c, x => x.v));
        }
        return rows;
    }

    // A DataProtection provider as Sosyabot configures one (same application name, so the same purposes), holding
    // the key ring rows of a dump in memory. kek: the key-encryption key the attacker tries (null: none at all).
    public static ServiceProvider ProviderFromKeyRing(IEnumerable<string> keyXml, string? kek)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddOptions<KeyRingOptions>().Configure(o => o.Key = kek);
        services.AddDataProtection().SetApplicationName("Sosyabot").AddKeyManagementOptions(options =>
        {
            options.XmlRepository = new InMemoryKeyRing(keyXml);
            if (kek is not null)
            {
                options.XmlEncryptor = new KeyRingXmlEncryptor(Options.Create(new KeyRingOptions { Key = kek }));
            }
        });
        return services.BuildServiceProvider();
    }

    // A sign-in cookie for email, built the way the cookie handler builds one (the user's claims from the database
    // the app runs on, including the instance-admin role), protected with protection: the app accepts it only if
    // protection holds one of its keys.
    public static async Task<string> ForgeAuthCookieAsync(IServiceProvider app, IDataProtectionProvider protection, string email)
    {
        await using var scope = app.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = await users.FindByEmailAsync(email) ?? throw new InvalidOperationException($"no user {email}");
        ClaimsPrincipal principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<AppUser>>().CreateAsync(user);
        var now = app.GetRequiredService<TimeProvider>().GetUtcNow();
        var ticket = new AuthenticationTicket(principal,
            new AuthenticationProperties { IssuedUtc = now, ExpiresUtc = now.AddDays(1) }, IdentityConstants.ApplicationScheme);
        var format = new TicketDataFormat(protection.CreateProtector(
            "Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationMiddleware", IdentityConstants.ApplicationScheme, "v2"));
        return format.Protect(ticket);
    }

    // GET path with only the given sign-in cookie; the status the app answers.
    public static async Task<(System.Net.HttpStatusCode Status, string? Location)> GetWithCookieAsync(SosyabotAppFactory app, string path, string cookie)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false,
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "sosyabot.auth=" + cookie);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, response.Headers.Location?.ToString());
    }

    private static async Task<(int Exit, string Output, string Errors)> RunAsync(string tool, TestDatabase database, string[] args, string? stdin)
    {
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var start = new ProcessStartInfo(Path.Combine(PgBin, tool))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null, UseShellExecute = false,
        };
        string[] target = ["-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, "-d", connection.Database!];
        foreach (var arg in target.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    // COPY's text format: backslash escapes for the separators and control characters.
    private static string Unescape(string value)
    {
        var result = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length)
            {
                result.Append(value[i]);
                continue;
            }
            var next = value[++i];
            result.Append(next switch { 'n' => '\n', 'r' => '\r', 't' => '\t', 'b' => '\b', 'f' => '\f', 'v' => '\v', _ => next });
        }
        return result.ToString();
    }

    private sealed class InMemoryKeyRing(IEnumerable<string> keyXml) : IXmlRepository
    {
        private readonly List<XElement> _elements = [.. keyXml.Select(x => XElement.Parse(x))];

        public IReadOnlyCollection<XElement> GetAllElements() => _elements.ToList();

        public void StoreElement(XElement element, string friendlyName) => _elements.Add(element);
    }
}

// A node of an instance whose database already exists (a second node, the app on a restored copy, the app after an
// upgrade) with the key-encryption key given (null: none).
public sealed class AppNode(TestDatabase database, string? dataProtectionKey) : AppWithFakeX
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["DATA_PROTECTION_KEY"] = dataProtectionKey,
    };

    public override Task InitializeAsync()
    {
        Database = database;
        return Task.CompletedTask;
    }
}
