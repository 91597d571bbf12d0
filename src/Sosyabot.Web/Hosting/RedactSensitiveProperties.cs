using Serilog.Core;
using Serilog.Events;

namespace Sosyabot.Web.Hosting;

// Blanks log properties that can carry credentials, whatever wrote them: HttpClient's header logging
// (which renders "*" in its message but attaches the raw values as properties), and any field named like
// a token, secret, password or cookie. Structured sinks see the property names, never the values.
public sealed class RedactSensitiveProperties : ILogEventEnricher
{
    private static readonly LogEventPropertyValue Redacted = new ScalarValue("***");

    private static readonly string[] SensitiveParts = ["authorization", "cookie", "token", "secret", "password", "csrf", "ct0"];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        foreach (var name in logEvent.Properties.Keys.Where(IsSensitive).ToList())
        {
            logEvent.AddOrUpdateProperty(new LogEventProperty(name, Redacted));
        }
    }

    private static bool IsSensitive(string name) =>
        SensitiveParts.Any(part => name.Contains(part, StringComparison.OrdinalIgnoreCase));
}
