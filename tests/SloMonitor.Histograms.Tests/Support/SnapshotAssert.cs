namespace SloMonitor.Histograms.Tests.Support;

internal static class SnapshotAssert
{
    public static void SameBuckets(HistogramSnapshot expected, HistogramSnapshot actual)
    {
        Assert.Equal(expected.Scale, actual.Scale);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.ZeroCount, actual.ZeroCount);
        Assert.Equal(expected.IndexOffset, actual.IndexOffset);
        Assert.Equal(expected.BucketCounts.ToArray(), actual.BucketCounts.ToArray());
    }
}
