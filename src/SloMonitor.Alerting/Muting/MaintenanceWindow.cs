using SloMonitor.Alerting.Routing;

namespace SloMonitor.Alerting.Muting;

/// <summary>
/// A recurring silence: on the listed weekdays (all days when empty), from <see cref="Start"/> for
/// <see cref="Duration"/> in <see cref="TimeZone"/>, alerts matching <see cref="Matchers"/> send nothing.
/// A window may run past midnight.
/// </summary>
internal sealed record MaintenanceWindow(
    string Name,
    IReadOnlyList<Matcher> Matchers,
    IReadOnlySet<DayOfWeek> Weekdays,
    TimeOnly Start,
    TimeSpan Duration,
    TimeZoneInfo TimeZone)
{
    public bool IsActive(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, TimeZone);
        // A window that started yesterday may still be open, so look at today's and yesterday's start.
        for (var daysBack = 0; daysBack <= Math.Ceiling(Duration.TotalDays); daysBack++)
        {
            var day = local.Date.AddDays(-daysBack);
            if (Weekdays.Count > 0 && !Weekdays.Contains(day.DayOfWeek))
            {
                continue;
            }

            var startLocal = day + Start.ToTimeSpan();
            var startsAt = new DateTimeOffset(startLocal, TimeZone.GetUtcOffset(startLocal));
            if (now >= startsAt && now < startsAt + Duration)
            {
                return true;
            }
        }

        return false;
    }
}
