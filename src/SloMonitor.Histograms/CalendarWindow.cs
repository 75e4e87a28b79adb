namespace SloMonitor.Histograms;

/// <summary>Calendar windows for SLOs whose period is a calendar unit in a time zone.</summary>
public static class CalendarWindow
{
    /// <summary>
    /// The month containing <paramref name="now"/> in <paramref name="zone"/>, as [first midnight of the month,
    /// first midnight of the next month) in Unix ms. A midnight skipped by a daylight-saving change starts at the
    /// first valid local time after it.
    /// </summary>
    public static (long FromUnixMs, long ToUnixMs) CurrentMonth(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = new DateTime(local.Year, local.Month, 1, 0, 0, 0, DateTimeKind.Unspecified);
        return (ToUnixMs(start, zone), ToUnixMs(start.AddMonths(1), zone));
    }

    /// <summary>The local day containing <paramref name="now"/> in <paramref name="zone"/>, in Unix ms.</summary>
    public static (long FromUnixMs, long ToUnixMs) CurrentDay(DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var start = new DateTime(local.Year, local.Month, local.Day, 0, 0, 0, DateTimeKind.Unspecified);
        return (ToUnixMs(start, zone), ToUnixMs(start.AddDays(1), zone));
    }

    private static long ToUnixMs(DateTime localMidnight, TimeZoneInfo zone)
    {
        var local = localMidnight;
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        var offset = zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUnixTimeMilliseconds();
    }
}
