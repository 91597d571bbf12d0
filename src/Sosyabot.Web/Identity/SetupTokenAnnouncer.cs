using Microsoft.Extensions.Options;
using Sosyabot.Web.Hosting;

namespace Sosyabot.Web.Identity;

// On an unclaimed instance (no admin, no ADMIN_EMAIL/ADMIN_PASSWORD) issues a one-time setup token at boot and logs
// the link that claims the instance, at Warning so that it shows at any log level. Whoever reads this node's log is
// trusted with the instance; a visitor who cannot is never made admin. Each node that boots unclaimed prints its own
// token; all of them die when one is used.
internal sealed partial class SetupTokenAnnouncer(
    IServiceScopeFactory scopes,
    IOptions<AdminBootstrapOptions> bootstrap,
    IOptions<SiteOptions> site,
    TimeProvider time,
    ILogger<SetupTokenAnnouncer> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Task? _retrying;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(bootstrap.Value.Email) && !string.IsNullOrEmpty(bootstrap.Value.Password))
        {
            return;
        }
        if (!await TryAnnounceAsync(cancellationToken))
        {
            // The database may be down or not migrated yet; the app still starts (its outage page says so) and the
            // link is printed as soon as the database answers.
            _retrying = RetryAsync(_stopping.Token);
        }
    }

    // The host may stop a service twice (a test host's DisposeAsync, then Dispose): only the first one waits.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _retrying, null) is not { } retrying)
        {
            return;
        }
        await _stopping.CancelAsync();
        await retrying.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RetryAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RetryDelay, time, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (await TryAnnounceAsync(stopping))
            {
                return;
            }
        }
    }

    private async Task<bool> TryAnnounceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var token = await scope.ServiceProvider.GetRequiredService<InstanceAdmins>().IssueSetupTokenAsync(cancellationToken);
            if (token is not null)
            {
                LogSetupLink(logger, site.Value.BaseUrl.TrimEnd('/') + "/account/register?setup=" + token);
            }
            return true;
        }
        catch (Exception exception) when (exception is System.Data.Common.DbException or InvalidOperationException
                                          or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            LogNotYet(logger, exception.Message);
            return false;
        }
    }

    // The property is named so that log redaction (which blanks anything named like a token) leaves it readable: this
    // one line exists to be read.
    [LoggerMessage(LogLevel.Warning,
        "This instance has no admin yet. To claim it, open {SetupLink} and register: that account becomes the instance admin " +
        "(the link works once). Or set ADMIN_EMAIL and ADMIN_PASSWORD and restart.")]
    private static partial void LogSetupLink(ILogger logger, string setupLink);

    [LoggerMessage(LogLevel.Warning, "Could not check whether this instance has an admin yet ({Problem}); retrying in 10 s")]
    private static partial void LogNotYet(ILogger logger, string problem);
}
