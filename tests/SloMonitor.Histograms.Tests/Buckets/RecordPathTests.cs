namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class RecordPathTests
{
    [Fact]
    public void RecordingLatenciesAllocatesNothing()
    {
        var histogram = new ExponentialHistogram();
        var values = Support.Distributions.Generate("latency-range", 10_000, seed: 1);
        foreach (double value in values)
        {
            histogram.Record(value);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (double value in values)
        {
            histogram.Record(value);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(20_000, histogram.Snapshot().Count);
    }

    [Fact]
    public void ValuesInsideAndOutsideTheDenseRangeAreCountedInTheirBuckets()
    {
        var histogram = new ExponentialHistogram();
        double[] values = [1e-12, Math.Pow(2, -24), Math.BitIncrement(Math.Pow(2, -24)), 0.5, Math.Pow(2, 24), Math.BitIncrement(Math.Pow(2, 24)), 1e12];
        foreach (double value in values)
        {
            histogram.Record(value);
        }

        var snapshot = histogram.Snapshot();
        for (int i = 0; i < values.Length; i++)
        {
            double estimate = snapshot.Quantile((i + 1.0) / values.Length);
            Assert.True(Math.Abs(estimate - values[i]) / values[i] <= snapshot.RelativeError + 1e-12, $"value {values[i]} read as {estimate}");
        }
    }
}
