namespace Sosyabot.Web.Identity;

// Told when an account is created (registration, ADMIN_EMAIL), so that features which give a new account
// something of theirs (its own workspace) do so without Identity knowing them.
public interface INewAccountListener
{
    Task AccountCreatedAsync(AppUser user, CancellationToken cancellationToken);
}
