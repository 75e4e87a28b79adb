namespace SloMonitor.Ingest;

/// <summary>The last cumulative point seen of one series; guarded by locking the instance.</summary>
internal sealed class SeriesState
{
    public bool HasValue;
    public ulong StartTime;
    public ulong LastTime;
    public long LastSeenUnixNano;

    // A series evicted earlier and seen again: what was known of it then (see EvictedSeries).
    public bool Returned;
    public ulong EvictedStartTime;
    public ulong EvictedLastTime;

    // Sum
    public double Value;

    // Histogram and ExponentialHistogram
    public ulong Count;
    public double Sum;
    public double[] Bounds = [];
    public ulong[] Buckets = [];
    public int BucketLength;

    // ExponentialHistogram
    public int Scale;
    public ulong ZeroCount;
    public int Offset;
}

/// <summary>How a cumulative point relates to what the series last saw.</summary>
internal enum DeltaStep
{
    /// <summary>
    /// First point of a series that started before this instance (or before it was evicted and came back): it only
    /// sets the baseline (zero delta).
    /// </summary>
    Baseline,

    /// <summary>
    /// First point of a series that started after this instance (and, for one that was evicted, after what was known
    /// of it), or a reset: the whole value is the delta.
    /// </summary>
    Full,

    /// <summary>The next point of the series: the delta is the difference to the last one.</summary>
    Difference,

    /// <summary>A duplicate, an out-of-order point or one from an earlier incarnation: already counted, zero delta.</summary>
    Stale,
}
