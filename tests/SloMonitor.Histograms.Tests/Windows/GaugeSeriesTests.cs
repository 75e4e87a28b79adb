namespace SloMonitor.Histograms.Tests.Windows;

public sealed class GaugeSeriesTests
{
    private static readonly long Hour = new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void AGaugeAboveItsThresholdForTwelveOfSixtyMinutesHasFortyEightGoodSlicesOfSixty()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromDays(1));
        for (int second = 0; second < 3600; second += 10)
        {
            bool breaching = second >= 20 * 60 && second < 32 * 60;
            gauge.Record(Hour + second * 1000L, breaching ? 7.5 : 1.0);
        }

        long now = Hour + 3_600_000;
        Assert.Equal((48, 60), gauge.CountSlices(now, TimeSpan.FromHours(1), threshold: 5, GaugeAggregation.Max));
        Assert.Equal((48, 60), gauge.CountSlices(now, TimeSpan.FromHours(1), threshold: 5, GaugeAggregation.Avg));
    }

    [Fact]
    public void MaxAndAverageDifferWhenOneSpikeBreachesInsideASlice()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        gauge.Record(Hour, 1);
        gauge.Record(Hour + 10_000, 1);
        gauge.Record(Hour + 20_000, 10);
        Assert.Equal((0, 1), gauge.CountSlices(Hour + 60_000, TimeSpan.FromMinutes(5), 5, GaugeAggregation.Max));
        Assert.Equal((1, 1), gauge.CountSlices(Hour + 60_000, TimeSpan.FromMinutes(5), 5, GaugeAggregation.Avg));
    }

    [Fact]
    public void SlicesWithoutSamplesAndTheSliceInProgressAreNotCounted()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(2));
        gauge.Record(Hour, 1);
        gauge.Record(Hour + 10 * 60_000, 1);
        gauge.Record(Hour + 15 * 60_000 + 5_000, 1);
        Assert.Equal((2, 2), gauge.CountSlices(Hour + 15 * 60_000 + 30_000, TimeSpan.FromMinutes(30), 5, GaugeAggregation.Max));
    }

    [Fact]
    public void ARestoredGaugeCountsTheSameSlices()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(3));
        var random = new Random(9);
        for (int i = 0; i < 5_000; i++)
        {
            gauge.Record(Hour + random.Next(0, 3_600_000), random.NextDouble() * 10);
        }

        var restored = GaugeSeries.FromBytes(gauge.ToBytes());
        long now = Hour + 3_600_000;
        foreach (var aggregation in new[] { GaugeAggregation.Max, GaugeAggregation.Avg })
        {
            Assert.Equal(
                gauge.CountSlices(now, TimeSpan.FromHours(1), 7, aggregation),
                restored.CountSlices(now, TimeSpan.FromHours(1), 7, aggregation));
        }

        Assert.Equal(gauge.ToBytes(), restored.ToBytes());
        Assert.Throws<FormatException>(() => GaugeSeries.FromBytes(gauge.ToBytes().AsSpan(0, 20)));
    }

    [Fact]
    public void ConcurrentSamplesAreAllCountedInTheSliceAverage()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < 20_000; i++)
            {
                gauge.Record(Hour + i % 60_000, i % 2 == 0 ? 0 : 2);
            }
        });

        long now = Hour + 60_000;
        Assert.Equal((1, 1), gauge.CountSlices(now, TimeSpan.FromMinutes(1), 1, GaugeAggregation.Avg));
        Assert.Equal((0, 1), gauge.CountSlices(now, TimeSpan.FromMinutes(1), Math.BitDecrement(1.0), GaugeAggregation.Avg));
        Assert.Equal((0, 1), gauge.CountSlices(now, TimeSpan.FromMinutes(1), 1.9, GaugeAggregation.Max));
    }

    [Fact]
    public void InvalidSamplesAndSettingsAreRejected()
    {
        var gauge = new GaugeSeries(TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
        Assert.False(gauge.Record(Hour, double.NaN));
        Assert.False(gauge.Record(Hour, double.PositiveInfinity));
        Assert.Equal("retention", Assert.Throws<ArgumentOutOfRangeException>(() => new GaugeSeries(TimeSpan.FromHours(1), TimeSpan.FromMinutes(1))).ParamName);
        Assert.Equal("window", Assert.Throws<ArgumentOutOfRangeException>(() => gauge.CountSlices(Hour, TimeSpan.FromHours(2), 1, GaugeAggregation.Max)).ParamName);
    }
}
