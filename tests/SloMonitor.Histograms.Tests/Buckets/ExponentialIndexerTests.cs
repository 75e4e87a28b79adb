using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Tests.Buckets;

public sealed class ExponentialIndexerTests
{
    [Theory]
    [InlineData(-3)]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(14)]
    public void TheTableIndexMatchesTheLogarithmDefinitionAwayFromBoundaries(int scale)
    {
        var indexer = ExponentialIndexer.For(scale);
        var random = new Random(scale + 100);
        for (int i = 0; i < 50_000; i++)
        {
            double value = Math.Pow(2, random.NextDouble() * 80 - 40);
            double exact = Math.Log2(value) * Math.Pow(2, scale);
            if (Math.Abs(exact - Math.Round(exact)) < 1e-9)
            {
                continue;
            }

            int expected = (int)Math.Floor(Math.Ceiling(exact) - 1);
            Assert.Equal(expected, indexer.Index(value));
        }
    }

    [Theory]
    [InlineData(-2)]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(12)]
    public void ExactPowersOfTwoAreTheUpperBoundOfTheirBucket(int scale)
    {
        var indexer = ExponentialIndexer.For(scale);
        for (int exponent = -1070; exponent <= 1023; exponent += 7)
        {
            double value = Math.ScaleB(1, exponent);
            long expected = scale >= 0 ? ((long)exponent << scale) - 1 : (exponent - 1) >> -scale;

            Assert.Equal(expected, indexer.Index(value));
        }
    }

    [Fact]
    public void EachBucketContainsItsUpperBoundAndNotItsLowerBound()
    {
        var indexer = ExponentialIndexer.For(5);
        for (int index = -300; index < 300; index++)
        {
            double lower = ExponentialIndexer.LowerBound(5, index);
            double upper = ExponentialIndexer.LowerBound(5, index + 1);
            Assert.Equal(index, indexer.Index(Math.BitIncrement(lower) * (1 + 1e-14)));
            Assert.Equal(index, indexer.Index(upper * (1 - 1e-14)));
        }
    }

    [Fact]
    public void AScaleOutsideTheOpenTelemetryRangeIsRejectedNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ExponentialIndexer.For(21));
        Assert.Equal("scale", error.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialHistogram(11));
    }
}
