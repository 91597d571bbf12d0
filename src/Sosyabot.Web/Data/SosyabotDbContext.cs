using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Sosyabot.Web.Agents;
using Sosyabot.Web.Analytics;
using Sosyabot.Web.Calendar;
using Sosyabot.Web.Channels;
using Sosyabot.Web.Identity;
using Sosyabot.Web.Notifications;
using Sosyabot.Web.Publishing;
using Sosyabot.Web.Queue;
using Sosyabot.Web.Workspaces;

namespace Sosyabot.Web.Data;

public sealed class SosyabotDbContext(DbContextOptions<SosyabotDbContext> options)
    : IdentityDbContext<AppUser, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<OptionEntry> Options => Set<OptionEntry>();

    public DbSet<Workspace> Workspaces => Set<Workspace>();

    public DbSet<WorkspaceMember> WorkspaceMembers => Set<WorkspaceMember>();

    public DbSet<WorkspaceInvitation> WorkspaceInvitations => Set<WorkspaceInvitation>();

    public DbSet<Channel> Channels => Set<Channel>();

    public DbSet<ConnectAttempt> ConnectAttempts => Set<ConnectAttempt>();

    public DbSet<Post> Posts => Set<Post>();

    public DbSet<Delivery> Deliveries => Set<Delivery>();

    public DbSet<PostMedia> PostMedia => Set<PostMedia>();

    public DbSet<PublishingLease> PublishingLeases => Set<PublishingLease>();

    public DbSet<RateBudgetReservation> RateBudgetReservations => Set<RateBudgetReservation>();

    public DbSet<RateBudget> RateBudgets => Set<RateBudget>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<UserDisplayPreference> UserDisplayPreferences => Set<UserDisplayPreference>();

    public DbSet<WorkspaceDisplayPreference> WorkspaceDisplayPreferences => Set<WorkspaceDisplayPreference>();

    public DbSet<PostingSchedule> PostingSchedules => Set<PostingSchedule>();

    public DbSet<PostingSlot> PostingSlots => Set<PostingSlot>();

    public DbSet<RecordedEvent> WorkspaceEvents => Set<RecordedEvent>();

    public DbSet<Notification> Notifications => Set<Notification>();

    public DbSet<NotificationPreference> NotificationPreferences => Set<NotificationPreference>();

    public DbSet<Webhook> Webhooks => Set<Webhook>();

    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();

    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    public DbSet<MetricSnapshot> MetricSnapshots => Set<MetricSnapshot>();

    public DbSet<WorkspaceAnalytics> WorkspaceAnalytics => Set<WorkspaceAnalytics>();

    public DbSet<ChannelMetricsUsage> ChannelMetricsUsage => Set<ChannelMetricsUsage>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        configurationBuilder.Conventions.Add(_ => new ExistingNamesConvention());

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // DataProtection's table predates the convention, which would call it data_protection_keys.
        builder.Entity<DataProtectionKey>().ToTable("DataProtectionKeys");
        builder.ApplyConfigurationsFromAssembly(typeof(SosyabotDbContext).Assembly);
    }
}
