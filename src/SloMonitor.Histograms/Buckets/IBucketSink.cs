namespace SloMonitor.Histograms.Buckets;

/// <summary>Where histogram counters are copied to: a snapshot being built, or the cells of a window slice.</summary>
internal interface IBucketSink
{
    void AddZero(long count);

    /// <summary>Adds <paramref name="count"/> to bucket <paramref name="index"/> of <paramref name="scale"/>.</summary>
    void Add(int scale, int index, long count);
}
