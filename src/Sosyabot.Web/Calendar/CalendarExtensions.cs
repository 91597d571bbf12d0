using Sosyabot.Web.Publishing;

namespace Sosyabot.Web.Calendar;

public static class CalendarExtensions
{
    public static WebApplicationBuilder AddCalendar(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<DisplayPreferences>();
        builder.Services.AddScoped<IReaderClock>(services => services.GetRequiredService<DisplayPreferences>());
        builder.Services.AddScoped<CalendarFeed>();
        return builder;
    }
}
