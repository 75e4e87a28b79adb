using Microsoft.Extensions.Time.Testing;
using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class CalendarWindowTests
{
    [Fact]
    public void TheCurrentMonthInUtcRunsFromTheFirstToTheFirstOfTheNextMonth()
    {
        var (from, to) = CalendarWindow.CurrentMonth(new DateTimeOffset(2026, 2, 14, 9, 0, 0, TimeSpan.Zero), TimeZoneInfo.Utc);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), from);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), to);
    }

    [Fact]
    public void TheCurrentMonthFollowsTheTimeZoneIncludingADaylightSavingChange()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        // 2026-02-28T23:30Z is already March 1st in Berlin.
        var (from, to) = CalendarWindow.CurrentMonth(new DateTimeOffset(2026, 2, 28, 23, 30, 0, TimeSpan.Zero), berlin);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 23, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), from);
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 22, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), to);
    }

    [Fact]
    public void ACalendarMonthReadCountsExactlyTheEventsOfTheMonthSoFar()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 2, 10, 0, 0, 0, TimeSpan.Zero));
        var retention = TimeSpan.FromDays(45);
        var series = new SliSeries(new SliSeriesOptions(Retention: retention));
        var model = new SeriesModel(retention);
        var random = new Random(31);
        while (clock.GetUtcNow() < new DateTimeOffset(2026, 3, 20, 0, 0, 0, TimeSpan.Zero))
        {
            clock.Advance(TimeSpan.FromMinutes(random.Next(1, 90)));
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            series.Record(now, 1, 2);
            model.Record(now, 1, 2);
        }

        var (from, to) = CalendarWindow.CurrentMonth(clock.GetUtcNow(), TimeZoneInfo.Utc);
        var reading = series.Read(from, to);
        Assert.Equal(model.ExpectedCalendar(from, to), (reading.Good, reading.Total));
        Assert.True(reading.Total > 0);
    }
}
