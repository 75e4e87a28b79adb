using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class CounterWideningTests
{
    [Fact]
    public void CountsPastTheThirtyTwoBitRangeStayExactUnderConcurrencyAndAcrossAHandOver()
    {
        var tier = new SliceTier(1_000, 4);
        var ring = new CounterRing(tier, new ChangeSequence());
        const int threads = 4;
        const int adds = 1_200;
        const long good = 1 << 19;
        const long total = (1 << 20) - 1;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < adds; i++)
            {
                ring.Add(500, 500, good, total);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.Equal((threads * adds * good, threads * adds * total), ring.Sum(0, 0));
        Assert.True(threads * adds * total > uint.MaxValue);

        // The slot is handed over to a slice four slots later: it starts from zero, narrow and wide cells alike.
        ring.Add(4_500, 4_500, 1, 2);
        Assert.Equal((1L, 2L), ring.Sum(4, 4));
        Assert.Equal((0L, 0L), ring.Sum(0, 0));
    }

    [Fact]
    public void ASingleHugeAddAndARestoredHugeSliceAreExact()
    {
        var ring = new CounterRing(new SliceTier(1_000, 4), new ChangeSequence());
        ring.Add(1_000, 1_000, long.MaxValue / 4, long.MaxValue / 2);
        Assert.True(ring.Restore(2, 5_000_000_000, 9_000_000_000));

        Assert.Equal((long.MaxValue / 4, long.MaxValue / 2), ring.Sum(1, 1));
        Assert.Equal((5_000_000_000L, 9_000_000_000L), ring.Sum(2, 2));
        Assert.Contains((2L, 5_000_000_000L, 9_000_000_000L), ring.Slices());
    }

    [Fact]
    public void ASeriesRefusesTimesAfterTheLatestItCanKeep()
    {
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));

        Assert.False(series.Record(SliSeries.MaxUnixMs + 1, 1, 1));
        Assert.False(series.RecordValue(SliSeries.MaxUnixMs + 1, 0.1, true));
        Assert.Equal(-1, series.NewestUnixMs);
        Assert.True(series.Record(SliSeries.MaxUnixMs, 1, 1));
        Assert.Equal((1L, 1L), (series.Read(SliSeries.MaxUnixMs, TimeSpan.FromMinutes(5)).Good, series.Read(SliSeries.MaxUnixMs, TimeSpan.FromMinutes(5)).Total));
    }
}
