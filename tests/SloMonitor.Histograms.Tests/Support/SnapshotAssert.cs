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

    /// <summary>Every listed window of <paramref name="actual"/> at <paramref name="nowMs"/> reads as <paramref name="expected"/>'s: counts and buckets.</summary>
    public static void SameWindows(SliSeries expected, SliSeries actual, long nowMs)
    {
        foreach (var window in ListedWindows.All)
        {
            var wanted = expected.Read(nowMs, window);
            var read = actual.Read(nowMs, window);
            Assert.Equal((wanted.Good, wanted.Total), (read.Good, read.Total));
            SameBuckets(wanted.Histogram!, read.Histogram!);
        }
    }
}
