using Sosyabot.Web.Admin;
using Sosyabot.Web.Agents;
using Sosyabot.Web.Analytics;
using Sosyabot.Web.Calendar;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Data;
using Sosyabot.Web.Hosting;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Mail;
using Sosyabot.Web.Notifications;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Queue;
using Sosyabot.Web.Workspaces;
using Sosyabot.Web.X;

var builder = WebApplication.CreateBuilder(args);

builder.AddHosting();
builder.AddData();
builder.AddAccounts();
builder.AddMail();
builder.AddX();
builder.AddAdmin();
builder.AddWorkspaces();
builder.AddChannels();
builder.AddPublishing();
builder.AddCalendar();
builder.AddQueue();
builder.AddAgents();
builder.AddNotifications();
builder.AddAnalytics();

var app = builder.Build();

if (args is ["migrate", ..])
{
    // Disposed so that the log's background writer writes out a failing migration's lines before the process ends.
    await using (app)
    {
        await app.Services.MigrateDatabaseAsync();
    }
    return;
}

app.UseHosting();
app.MapHealth();
app.MapRazorPages();
app.MapWorkspaces();
app.MapChannelsApi();
app.MapAgents();

await app.RunAsync();

public partial class Program;
