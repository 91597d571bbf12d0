using Sosyabot.Web.Admin;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;
using Sosyabot.Web.X;

var builder = WebApplication.CreateBuilder(args);

builder.AddHosting();
builder.AddData();
builder.AddAccounts();
builder.AddX();
builder.AddAdmin();

var app = builder.Build();

if (args is ["migrate", ..])
{
    await app.Services.MigrateDatabaseAsync();
    return;
}

app.UseHosting();
app.MapHealth();
app.MapRazorPages();

await app.RunAsync();

public partial class Program;
