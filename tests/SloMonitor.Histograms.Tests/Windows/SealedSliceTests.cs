using SloMonitor.Histograms.Buckets;
using SloMonitor.Histograms.Tests.Support;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Windows;

public sealed class SealedSliceTests
{
    private static readonly long Now = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void ASealedSliceReadsExactlyAsItDidLiveAndLateWritesAfterSealingCountExactly()
    {
        var slice = new HistogramSlice(1, 5);
        var random = new Random(3);
        Write(slice, random, 5_000);
        var live = Snapshot(slice);

        Assert.True(slice.TrySeal());
        Assert.True(slice.IsSealed);
        SnapshotAssert.SameBuckets(live, Snapshot(slice));

        var expected = new HistogramCells(5);
        slice.CopyTo(expected);
        for (int i = 0; i < 1_000; i++)
        {
            double value = Math.Exp(random.NextDouble() * 8 - 6);
            Write(slice, value);
            expected.Add(value, 1);
        }

        SnapshotAssert.SameBuckets(Snapshot(expected), Snapshot(slice));
    }

    [Fact]
    public void AWriterStillInsideDelaysTheSealWhileNewWritersGoToFreshCells()
    {
        var slice = new HistogramSlice(1, 5);
        var inside = slice.Enter();

        Assert.False(slice.TrySeal());
        var late = slice.Enter();
        Assert.NotSame(inside, late);
        late.Buckets.Add(2.0, 1);
        inside.Buckets.Add(1.0, 1);
        Assert.Equal(2, Snapshot(slice).Count);
        HistogramSlice.Exit(inside);
        HistogramSlice.Exit(late);

        Assert.True(slice.TrySeal());
        Assert.True(slice.IsSealed);
        var snapshot = Snapshot(slice);
        Assert.Equal(2, snapshot.Count);
        Assert.Equal(1.0, snapshot.Quantile(0.01), 0.02);
        Assert.Equal(2.0, snapshot.Quantile(0.99), 0.05);
    }

    [Fact]
    public void LateWritesIntoASealedSliceAreFoldedIntoItsSealedBytesByTheNextSeal()
    {
        var slice = new HistogramSlice(1, 5);
        var random = new Random(13);
        Write(slice, random, 2_000);
        Assert.True(slice.TrySeal());
        Write(slice, random, 500);
        Assert.False(slice.IsSealed);
        var beforeSeal = Snapshot(slice);

        Assert.True(slice.TrySeal());
        Assert.True(slice.IsSealed);
        SnapshotAssert.SameBuckets(beforeSeal, Snapshot(slice));
        Assert.Equal(2_500, Snapshot(slice).Count);
    }

    [Fact]
    public void ThreadsRacingWritersAgainstSealingLoseAndDoubleNoValue()
    {
        for (int round = 0; round < 200; round++)
        {
            var slice = new HistogramSlice(1, 5);
            var writers = Enumerable.Range(0, 3).Select(t => new Thread(() =>
            {
                for (int i = 0; i < 2_000; i++)
                {
                    Write(slice, 1.0 + t);
                }
            })).ToList();
            writers.ForEach(w => w.Start());
            while (!slice.TrySeal())
            {
                Thread.Yield();
            }

            writers.ForEach(w => w.Join());
            Assert.Equal(6_000, Snapshot(slice).Count);
            Assert.True(slice.TrySeal());
            Assert.Equal(6_000, Snapshot(slice).Count);
        }
    }

    [Fact]
    public void SlicesOlderThanThePreviousPeriodAreSealedAndLateEventsIntoThemMatchTheModel()
    {
        var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var model = new SeriesModel(SliSeriesOptions.DefaultRetention);
        var random = new Random(8);
        long start = Now - (long)TimeSpan.FromDays(30).TotalMilliseconds;
        for (long time = start; time <= Now; time += random.Next(1_000, 600_000))
        {
            Record(series, model, time, random);
        }

        Assert.All(series.HistogramRings!, ring => Assert.Contains(ring.Slices(), slice => slice.IsSealed));
        foreach (var ring in series.HistogramRings!)
        {
            Assert.All(ring.Slices(), slice => Assert.True(slice.IsSealed || (slice.Number + 1) * ring.Tier.SliceMs > Now - 60_000));
        }

        for (int i = 0; i < 3_000; i++)
        {
            Record(series, model, Now - random.NextInt64(60_000, (long)TimeSpan.FromDays(29).TotalMilliseconds), random);
        }

        foreach (var window in ListedWindows.All)
        {
            var reading = series.Read(Now, window);
            Assert.Equal(model.Expected(Now, window), (reading.Good, reading.Total));
            SnapshotAssert.SameBuckets(model.ExpectedHistogram(Now, window, 5), reading.Histogram!);
        }
    }

    [Fact]
    public void ACheckpointOfSealedAndLateSlicesRestoresAndMergesToTheSameReadings()
    {
        var first = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var second = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var both = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        var random = new Random(9);
        for (int i = 0; i < 20_000; i++)
        {
            long time = Now - random.NextInt64(0, (long)TimeSpan.FromDays(30).TotalMilliseconds);
            double value = Math.Exp(random.NextDouble() * 10 - 7);
            (i % 2 == 0 ? first : second).RecordValue(time, value, value < 0.2);
            both.RecordValue(time, value, value < 0.2);
        }

        var restored = SliSeries.FromBytes(first.ToBytes());
        Assert.Contains(restored.HistogramRings!.SelectMany(ring => ring.Slices()), slice => slice.IsSealed);
        Assert.Equal(first.ToBytes(), restored.ToBytes());
        restored.MergeFrom(SliSeries.FromBytes(second.ToBytes()));

        SnapshotAssert.SameWindows(both, restored, Now);
    }

    private static void Record(SliSeries series, SeriesModel model, long time, Random random)
    {
        double value = Math.Exp(random.NextDouble() * 10 - 7);
        bool good = value < 0.2;
        Assert.Equal(model.Record(time, good ? 1 : 0, 1, value), series.RecordValue(time, value, good));
    }

    private static void Write(HistogramSlice slice, Random random, int count)
    {
        for (int i = 0; i < count; i++)
        {
            Write(slice, Math.Exp(random.NextDouble() * 8 - 6));
        }
    }

    private static void Write(HistogramSlice slice, double value)
    {
        var cells = slice.Enter();
        cells.Buckets.Add(value, 1);
        HistogramSlice.Exit(cells);
    }

    private static HistogramSnapshot Snapshot(HistogramSlice slice)
    {
        var accumulator = new SnapshotAccumulator(5);
        slice.CopyTo(accumulator);
        return accumulator.ToSnapshot();
    }

    private static HistogramSnapshot Snapshot(HistogramCells cells)
    {
        var accumulator = new SnapshotAccumulator(5);
        cells.CopyTo(accumulator);
        return accumulator.ToSnapshot();
    }
}
