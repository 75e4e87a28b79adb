using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms;

/// <summary>
/// An immutable read of a histogram or of a window: a zero bucket and dense positive buckets starting at
/// <see cref="IndexOffset"/>, at <see cref="Scale"/>.
/// </summary>
public sealed class HistogramSnapshot
{
    private readonly long[] _counts;

    internal HistogramSnapshot(int scale, long zeroCount, int indexOffset, long[] counts)
    {
        Scale = scale;
        ZeroCount = zeroCount;
        IndexOffset = indexOffset;
        _counts = counts;
        long total = zeroCount;
        foreach (long count in counts)
        {
            total += count;
        }

        Count = total;
    }

    public int Scale { get; }

    public long Count { get; }

    public long ZeroCount { get; }

    /// <summary>Bucket index of <see cref="BucketCounts"/>[0].</summary>
    public int IndexOffset { get; }

    public ReadOnlySpan<long> BucketCounts => _counts;

    /// <summary>The largest relative error of <see cref="Quantile"/> at this scale: (base-1)/(base+1).</summary>
    public double RelativeError => ExponentialIndexer.RelativeError(Scale);

    public static HistogramSnapshot Empty(int scale = 5)
    {
        ExponentialHistogram.ValidateScale(scale);
        return new HistogramSnapshot(scale, 0, 0, []);
    }

    /// <summary>
    /// Nearest-rank quantile: the value of rank ⌈q·Count⌉ (at least 1) is in some bucket (L, U]; the result is that
    /// bucket's point 2LU/(L+U), within <see cref="RelativeError"/> of it. 0 when the rank falls in the zero bucket;
    /// <see cref="double.NaN"/> when the snapshot is empty.
    /// </summary>
    public double Quantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "q must be between 0 and 1");
        }

        if (Count == 0)
        {
            return double.NaN;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        if (rank <= ZeroCount)
        {
            return 0;
        }

        long seen = ZeroCount;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return ExponentialIndexer.Representative(Scale, IndexOffset + i);
            }
        }

        return ExponentialIndexer.Representative(Scale, IndexOffset + _counts.Length - 1);
    }

    /// <summary>
    /// Count of values in buckets up to and including the bucket that holds <paramref name="value"/>: exact when the
    /// value is a bucket's upper bound, otherwise it may include values of that one bucket above the value.
    /// </summary>
    public long CountAtOrBelow(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "value must be a number");
        }

        if (value < 0)
        {
            return 0;
        }

        if (value == 0 || _counts.Length == 0)
        {
            return value == 0 ? ZeroCount : Count;
        }

        if (double.IsPositiveInfinity(value))
        {
            return Count;
        }

        int index = ExponentialIndexer.For(Scale).Index(value);
        long total = ZeroCount;
        int last = Math.Min(index - IndexOffset, _counts.Length - 1);
        for (int i = 0; i <= last; i++)
        {
            total += _counts[i];
        }

        return total;
    }

    /// <summary>A new snapshot holding both, at the lower of the two scales.</summary>
    public HistogramSnapshot Merge(HistogramSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        var accumulator = new SnapshotAccumulator(Math.Min(Scale, other.Scale));
        accumulator.Add(this);
        accumulator.Add(other);
        return accumulator.ToSnapshot();
    }

    /// <summary>A snapshot from bucket counts (e.g. restored from storage); counts must not be negative.</summary>
    public static HistogramSnapshot FromBuckets(int scale, long zeroCount, int indexOffset, ReadOnlySpan<long> bucketCounts)
    {
        ExponentialHistogram.ValidateScale(scale);
        ArgumentOutOfRangeException.ThrowIfNegative(zeroCount);
        var accumulator = new SnapshotAccumulator(scale);
        accumulator.AddZero(zeroCount);
        var (min, max) = ExponentialIndexer.IndexRange(scale);
        for (int i = 0; i < bucketCounts.Length; i++)
        {
            if (bucketCounts[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bucketCounts), $"bucket {i} has a negative count");
            }

            long index = (long)indexOffset + i;
            if (bucketCounts[i] > 0 && (index < min || index > max))
            {
                throw new ArgumentOutOfRangeException(nameof(indexOffset), indexOffset, $"bucket indexes at scale {scale} must be between {min} and {max}");
            }

            accumulator.Add(scale, (int)index, bucketCounts[i]);
        }

        return accumulator.ToSnapshot();
    }
}
