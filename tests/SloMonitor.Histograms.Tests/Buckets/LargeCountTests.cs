namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class LargeCountTests
{
    [Fact]
    public void ABucketCountedPastTheThirtyTwoBitRangeStaysExactUnderConcurrency()
    {
        const long step = (1 << 20) - 1;
        const int perThread = 700;
        var histogram = new ExponentialHistogram();
        Parallel.For(0, 4, _ =>
        {
            for (int i = 0; i < perThread; i++)
            {
                histogram.Record(1.5, step);
            }
        });

        var snapshot = histogram.Snapshot();
        Assert.Equal(4 * perThread * step, snapshot.Count);
        Assert.True(snapshot.Count > int.MaxValue);
        Assert.Single(snapshot.BucketCounts.ToArray(), c => c != 0);
    }

    [Fact]
    public void LargeMergedCountsAreExact()
    {
        var histogram = new ExponentialHistogram();
        histogram.MergeExponential(5, zeroCount: 5_000_000_000, positiveOffset: 10, [3_000_000_000, 0, 7]);
        histogram.Record(2.0, 1);
        var snapshot = histogram.Snapshot();
        Assert.Equal(5_000_000_000, snapshot.ZeroCount);
        Assert.Equal(8_000_000_008, snapshot.Count);
    }
}
