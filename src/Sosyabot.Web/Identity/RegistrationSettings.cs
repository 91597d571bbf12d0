using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Data;

namespace Sosyabot.Web.Identity;

public enum RegistrationMode
{
    Open,
    InviteOnly,
    Closed,
}

// Who may create an account, set on the admin page; every node reads the same options row. Without a row: open,
// as before this setting existed.
public sealed class RegistrationSettings(SosyabotDbContext db, TimeProvider time)
{
    private const string Key = "identity.registration_mode";

    public static string Name(RegistrationMode mode) => mode switch
    {
        RegistrationMode.InviteOnly => "invite-only",
        RegistrationMode.Closed => "closed",
        _ => "open",
    };

    public static RegistrationMode? Parse(string? value) => value switch
    {
        "open" => RegistrationMode.Open,
        "invite-only" => RegistrationMode.InviteOnly,
        "closed" => RegistrationMode.Closed,
        _ => null,
    };

    public async Task<(RegistrationMode Mode, DateTimeOffset? UpdatedAt, string? UpdatedBy)> GetAsync(CancellationToken cancellationToken)
    {
        var row = await db.Options.AsNoTracking().SingleOrDefaultAsync(o => o.Key == Key, cancellationToken);
        return (Parse(row?.Value) ?? RegistrationMode.Open, row?.UpdatedAt, row?.UpdatedBy);
    }

    public async Task<RegistrationMode> ModeAsync(CancellationToken cancellationToken) => (await GetAsync(cancellationToken)).Mode;

    public async Task SaveAsync(RegistrationMode mode, string updatedBy, CancellationToken cancellationToken)
    {
        var row = await db.Options.SingleOrDefaultAsync(o => o.Key == Key, cancellationToken);
        if (row is null)
        {
            row = new OptionEntry { Key = Key, Value = Name(mode) };
            db.Options.Add(row);
        }
        row.Value = Name(mode);
        row.UpdatedAt = time.GetUtcNow();
        row.UpdatedBy = updatedBy;
        await db.SaveChangesAsync(cancellationToken);
    }
}
