namespace SloMonitor.Slos.Definitions;

/// <summary>
/// An SLO window: rolling (<c>30d</c>) or the current calendar month in <see cref="TimeZone"/>.
/// </summary>
public sealed record SloWindow(string Text, TimeSpan Rolling, TimeZoneInfo? TimeZone)
{
    public const string MonthText = "month";

    public bool IsCalendarMonth => TimeZone is not null;

    /// <summary>The longest span of data the window can cover: 31 days for a calendar month.</summary>
    public TimeSpan Longest => IsCalendarMonth ? TimeSpan.FromDays(31) : Rolling;

    /// <summary>The period budgets and burn-rate thresholds refer to: the rolling length, 30 days for a calendar month.</summary>
    public TimeSpan Period => Rolling;

    public static SloWindow RollingFor(TimeSpan length) => new(DurationText.Format(length), length, null);

    public static SloWindow CalendarMonth(TimeZoneInfo zone) => new(MonthText, TimeSpan.FromDays(30), zone);
}
