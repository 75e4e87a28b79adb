namespace SloMonitor.Histograms.Tests.Windows;

public sealed class SliSeriesClearTests
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void AClearedSeriesReadsEmptyAndThenRecordsExactlyAsANewSeriesWould()
    {
        var reused = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        for (var i = 0; i < 5_000; i++)
        {
            reused.RecordValue(Start + (i * 97L), 0.001 * (i % 700), i % 5 != 0);
        }

        reused.Clear();

        Assert.Equal(-1, reused.NewestUnixMs);
        Assert.Equal(0, reused.Read(Start + 600_000, TimeSpan.FromHours(1)).Total);
        Assert.Equal(new SliSeries(new SliSeriesOptions(WithHistogram: true)).ToBytes(), reused.ToBytes());

        // Older times than before the clear are not refused: the series' clock starts again.
        var fresh = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        for (var i = 0; i < 3_000; i++)
        {
            var time = Start - 3_600_000 + (i * 131L);
            reused.RecordValue(time, 0.002 * (i % 400), i % 3 != 0);
            fresh.RecordValue(time, 0.002 * (i % 400), i % 3 != 0);
        }

        Assert.Equal(fresh.ToBytes(), reused.ToBytes());
    }

    [Fact]
    public void AClearedGaugeSeriesHoldsNothingAndRecordsAgain()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        gauge.Record(Start, 5);
        gauge.Clear();

        Assert.Equal(new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1)).ToBytes(), gauge.ToBytes());
        Assert.True(gauge.Record(Start - 3_600_000, 7));
    }
}
