using SloMonitor.Histograms.Tests.Support;

namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class QuantileAccuracyTests
{
    private static readonly double[] Quantiles = [0.5, 0.9, 0.95, 0.99, 0.999];

    // Bucket boundaries are computed in double precision, so a value within a few ulps of a boundary may be
    // placed in the neighbouring bucket; that adds at most this much on top of the scale's bound.
    private const double BoundarySlack = 1e-12;

    [Theory]
    [MemberData(nameof(Distributions.Names), MemberType = typeof(Distributions))]
    public void QuantilesAreWithinTheScaleRelativeErrorOfTheExactNearestRankPercentile(string distribution)
    {
        var values = Distributions.Generate(distribution, 100_000, seed: 42);
        var histogram = new ExponentialHistogram();
        foreach (double value in values)
        {
            Assert.True(histogram.Record(value));
        }

        Array.Sort(values);
        var snapshot = histogram.Snapshot();
        Assert.Equal(values.Length, snapshot.Count);
        Assert.True(snapshot.RelativeError <= 0.011);
        foreach (double q in Quantiles)
        {
            double exact = Exact.NearestRank(values, q);
            double estimate = snapshot.Quantile(q);
            Assert.True(Exact.RelativeDistance(estimate, exact) <= snapshot.RelativeError + BoundarySlack,
                $"{distribution} p{q * 100}: estimate {estimate}, exact {exact}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(-2)]
    public void QuantilesHonourTheBoundOfAnyConfiguredScale(int scale)
    {
        var values = Distributions.Generate("log-normal", 20_000, seed: 7);
        var histogram = new ExponentialHistogram(scale);
        foreach (double value in values)
        {
            histogram.Record(value);
        }

        Array.Sort(values);
        var snapshot = histogram.Snapshot();
        Assert.Equal(scale, snapshot.Scale);
        foreach (double q in Quantiles)
        {
            double exact = Exact.NearestRank(values, q);
            Assert.True(Exact.RelativeDistance(snapshot.Quantile(q), exact) <= snapshot.RelativeError + BoundarySlack);
        }
    }

    [Fact]
    public void TheDefaultScaleBoundsRelativeErrorAtOnePointOnePercent()
    {
        var snapshot = HistogramSnapshot.Empty();
        Assert.Equal(5, snapshot.Scale);
        Assert.InRange(snapshot.RelativeError, 0.0108, 0.011);
    }

    [Fact]
    public void AnEmptyHistogramHasNoQuantile()
    {
        Assert.True(double.IsNaN(new ExponentialHistogram().Snapshot().Quantile(0.99)));
    }

    [Fact]
    public void ZeroesAreCountedInTheZeroBucketAndReportedAsZero()
    {
        var histogram = new ExponentialHistogram();
        histogram.Record(0, 90);
        histogram.Record(1.0, 10);
        var snapshot = histogram.Snapshot();
        Assert.Equal(90, snapshot.ZeroCount);
        Assert.Equal(0, snapshot.Quantile(0.9));
        Assert.InRange(snapshot.Quantile(0.91), 1.0 / 1.011, 1.0 * 1.011);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-0.5)]
    public void InvalidValuesAreRefusedAndNotCounted(double value)
    {
        var histogram = new ExponentialHistogram();
        Assert.False(histogram.Record(value));
        Assert.False(histogram.Record(value, 3));
        Assert.Equal(0, histogram.Snapshot().Count);
    }

    [Fact]
    public void ExtremePositiveValuesAreRecordedAcrossTheWholeDoubleRange()
    {
        var histogram = new ExponentialHistogram();
        double[] values = [double.Epsilon, 1e-300, 1e-6, 3600, 1e300, double.MaxValue];
        foreach (double value in values)
        {
            Assert.True(histogram.Record(value));
        }

        var snapshot = histogram.Snapshot();
        Assert.Equal(values.Length, snapshot.Count);
        Assert.InRange(snapshot.Quantile(0.5), 1e-6 / 1.011, 1e-6 * 1.011);
        Assert.InRange(snapshot.Quantile(4.0 / 6), 3600 / 1.011, 3600 * 1.011);
    }

    [Fact]
    public void AQuantileOutsideZeroToOneIsRejectedNamingTheArgument()
    {
        var snapshot = HistogramSnapshot.Empty();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => snapshot.Quantile(1.5));
        Assert.Equal("q", error.ParamName);
    }

    [Fact]
    public void CountAtOrBelowIsExactAtABucketUpperBound()
    {
        var histogram = new ExponentialHistogram();
        for (int i = 1; i <= 1000; i++)
        {
            histogram.Record(i / 1000.0);
        }

        var snapshot = histogram.Snapshot();
        Assert.Equal(500, snapshot.CountAtOrBelow(0.5));
        Assert.Equal(250, snapshot.CountAtOrBelow(0.25));
        Assert.Equal(1000, snapshot.CountAtOrBelow(double.PositiveInfinity));
        Assert.Equal(0, snapshot.CountAtOrBelow(-1));
    }
}
