using System.ComponentModel.DataAnnotations;

namespace Sosyabot.Web.Analytics;

public sealed class AnalyticsOptions
{
    // How often a fresh post's metrics are read from X; older posts are read less often (MetricsSchedule).
    // 0 turns metrics reading off for the whole instance. Every read is billed on X's pay-per-use plans.
    [ConfigurationKeyName("METRICS_INTERVAL_MINUTES"), Range(0, 10_080)]
    public int IntervalMinutes { get; set; } = 60;

    public bool Enabled => IntervalMinutes > 0;

    public TimeSpan Interval => TimeSpan.FromMinutes(IntervalMinutes);
}
