using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class MergeTests
{
    [Fact]
    public void AnExponentialDataPointAtAFinerScaleMergesExactlyByDownscaling()
    {
        var values = Distributions.Generate("log-normal", 10_000, seed: 3);
        var fine = new ExponentialHistogram(scale: 8);
        var expected = new ExponentialHistogram(scale: 5);
        foreach (double value in values)
        {
            fine.Record(value);
            expected.Record(value);
        }

        var point = fine.Snapshot();
        var merged = new ExponentialHistogram(scale: 5);
        merged.MergeExponential(point.Scale, (ulong)point.ZeroCount, point.IndexOffset, ToUnsigned(point.BucketCounts));

        SnapshotAssert.SameBuckets(expected.Snapshot(), merged.Snapshot());
    }

    [Fact]
    public void AnExponentialDataPointAtACoarserScaleMakesTheSnapshotExactAtThatScale()
    {
        var values = Distributions.Generate("bimodal", 10_000, seed: 4);
        var coarse = new ExponentialHistogram(scale: 2);
        var local = new ExponentialHistogram(scale: 5);
        var expected = new ExponentialHistogram(scale: 2);
        for (int i = 0; i < values.Length; i++)
        {
            (i % 2 == 0 ? coarse : local).Record(values[i]);
            expected.Record(values[i]);
        }

        var point = coarse.Snapshot();
        local.MergeExponential(point.Scale, (ulong)point.ZeroCount, point.IndexOffset, ToUnsigned(point.BucketCounts));

        var merged = local.Snapshot();
        Assert.Equal(2, merged.Scale);
        SnapshotAssert.SameBuckets(expected.Snapshot(), merged);
    }

    [Fact]
    public void SnapshotMergeDownscalesToTheLowerScaleAndAddsCounts()
    {
        var a = new ExponentialHistogram(scale: 6);
        var b = new ExponentialHistogram(scale: 4);
        var both = new ExponentialHistogram(scale: 4);
        foreach (double value in Distributions.Generate("heavy-tailed", 5_000, seed: 5))
        {
            a.Record(value);
            both.Record(value);
        }

        foreach (double value in Distributions.Generate("uniform", 5_000, seed: 6))
        {
            b.Record(value);
            both.Record(value);
        }

        b.Record(0, 7);
        both.Record(0, 7);
        SnapshotAssert.SameBuckets(both.Snapshot(), a.Snapshot().Merge(b.Snapshot()));
    }

    [Fact]
    public void ExplicitBucketsArePlacedAtTheGeometricMeanOfTheirBounds()
    {
        var histogram = new ExponentialHistogram();
        double[] bounds = [0.1, 0.4, 1.6];
        histogram.MergeExplicit(bounds, [10, 20, 30, 40]);

        var snapshot = histogram.Snapshot();
        Assert.Equal(100, snapshot.Count);
        double bound = snapshot.RelativeError + 1e-12;
        Assert.True(Exact.RelativeDistance(snapshot.Quantile(0.10), 0.1) <= bound);
        Assert.True(Exact.RelativeDistance(snapshot.Quantile(0.30), 0.2) <= bound);
        Assert.True(Exact.RelativeDistance(snapshot.Quantile(0.60), 0.8) <= bound);
        Assert.True(Exact.RelativeDistance(snapshot.Quantile(0.99), 1.6) <= bound);
    }

    [Fact]
    public void ExplicitBucketQuantilesStayWithinTheBucketWidthOfTheTrueValues()
    {
        var values = Distributions.Generate("log-normal", 20_000, seed: 8);
        double[] bounds = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
        var counts = new ulong[bounds.Length + 1];
        foreach (double value in values)
        {
            int bucket = 0;
            while (bucket < bounds.Length && value > bounds[bucket])
            {
                bucket++;
            }

            counts[bucket]++;
        }

        var histogram = new ExponentialHistogram();
        histogram.MergeExplicit(bounds, counts);
        Array.Sort(values);
        var snapshot = histogram.Snapshot();
        foreach (double q in new[] { 0.5, 0.9, 0.99 })
        {
            double exact = Exact.NearestRank(values, q);
            int bucket = Array.FindIndex(bounds, b => exact <= b);
            double lower = bounds[bucket - 1];
            double upper = bounds[bucket];
            double allowed = (Math.Sqrt(upper / lower) - 1) * (1 + snapshot.RelativeError) + snapshot.RelativeError;
            Assert.True(Exact.RelativeDistance(snapshot.Quantile(q), exact) <= allowed, $"p{q * 100}");
        }
    }

    [Fact]
    public void MismatchedExplicitCountsAreRejectedNamingTheField()
    {
        var histogram = new ExponentialHistogram();
        var error = Assert.Throws<ArgumentException>(() => histogram.MergeExplicit([1.0, 2.0], [1, 2]));
        Assert.Equal("bucketCounts", error.ParamName);
        error = Assert.Throws<ArgumentException>(() => histogram.MergeExplicit([2.0, 1.0], [1, 2, 3]));
        Assert.Equal("explicitBounds", error.ParamName);
        Assert.Equal(0, histogram.Snapshot().Count);
    }

    [Fact]
    public void ExponentialBucketsOutsideTheScaleRangeAreRejectedNamingTheField()
    {
        var histogram = new ExponentialHistogram();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => histogram.MergeExponential(5, 0, int.MaxValue - 1, [1, 1, 1]));
        Assert.Equal("positiveOffset", error.ParamName);
        error = Assert.Throws<ArgumentOutOfRangeException>(() => histogram.MergeExponential(25, 0, 0, [1]));
        Assert.Equal("scale", error.ParamName);
    }

    internal static ulong[] ToUnsigned(ReadOnlySpan<long> counts)
    {
        var result = new ulong[counts.Length];
        for (int i = 0; i < counts.Length; i++)
        {
            result[i] = (ulong)counts[i];
        }

        return result;
    }
}
