using System.Numerics;
using System.Runtime.CompilerServices;
using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms;

/// <summary>
/// A concurrent, lock-free base-2 exponential histogram on the OpenTelemetry scale (bucket i covers
/// (base^i, base^(i+1)], base = 2^(2^-scale)); at the default scale 5 a quantile is within 1.08% of the true value.
/// </summary>
/// <remarks>
/// Counters are striped: each thread records into the cells of its stripe (stripes are handed to threads
/// round-robin on their first record; there are as many as cores, rounded up to a power of two), so two threads on
/// two cores recording into one histogram do not share cache lines. Each stripe has a dense array for 2^-24 .. 2^24 and
/// sparse pages for all other positive values. Every increment is an
/// <see cref="Interlocked"/> add: counts are exact under any concurrency. <see cref="Record(double)"/> takes no lock and
/// allocates nothing for values in the dense range, and elsewhere nothing once the page holding a value's bucket
/// exists (the first value in a new range of 16 buckets allocates that 88-byte page). A <see cref="Snapshot"/> reads each bucket atomically but not all buckets at one
/// instant: values recorded during the snapshot may or may not be in it, and none is counted twice.
/// </remarks>
public sealed class ExponentialHistogram
{
    private readonly HistogramCells[] _stripes;
    private readonly int _stripeMask;

    public ExponentialHistogram(int scale = 5)
    {
        ValidateScale(scale);
        Scale = scale;
        int stripes = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount), 64);
        _stripes = new HistogramCells[stripes];
        for (int i = 0; i < stripes; i++)
        {
            _stripes[i] = new HistogramCells(scale, dense: true);
        }

        _stripeMask = stripes - 1;
    }

    public int Scale { get; }

    /// <summary>Records one value. Returns false, recording nothing, for NaN, infinities and negative values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Record(double value)
    {
        if (!(value >= 0) || value == double.PositiveInfinity)
        {
            return false;
        }

        _stripes[ThreadNumbers.Current() & _stripeMask].Add(value, 1);
        return true;
    }

    /// <summary>Records <paramref name="count"/> occurrences of a value; false for NaN, infinities and negative values.</summary>
    public bool Record(double value, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (!(value >= 0) || value == double.PositiveInfinity)
        {
            return false;
        }

        if (count > 0)
        {
            _stripes[ThreadNumbers.Current() & _stripeMask].Add(value, count);
        }

        return true;
    }

    /// <summary>
    /// Merges an OTLP exponential histogram data point (zero bucket and positive buckets) exactly: a finer incoming
    /// scale is downscaled to this one; a coarser one is kept at its own scale and the snapshot downscales to it.
    /// </summary>
    public void MergeExponential(int scale, ulong zeroCount, int positiveOffset, ReadOnlySpan<ulong> positiveBucketCounts) =>
        IncomingBuckets.MergeExponential(_stripes[ThreadNumbers.Current() & _stripeMask], scale, zeroCount, positiveOffset, positiveBucketCounts);

    /// <summary>
    /// Merges an OTLP explicit-bucket histogram (counts.Length == bounds.Length + 1): each bucket's count is
    /// placed at one representative point of the bucket (geometric mean of its bounds; see docs/histograms.md).
    /// </summary>
    public void MergeExplicit(ReadOnlySpan<double> explicitBounds, ReadOnlySpan<ulong> bucketCounts) =>
        IncomingBuckets.MergeExplicit(_stripes[ThreadNumbers.Current() & _stripeMask], explicitBounds, bucketCounts);

    public HistogramSnapshot Snapshot()
    {
        var accumulator = new SnapshotAccumulator(Scale);
        foreach (var stripe in _stripes)
        {
            stripe.CopyTo(accumulator);
        }

        return accumulator.ToSnapshot();
    }

    internal static void ValidateScale(int scale)
    {
        if (scale < ExponentialIndexer.MinScale || scale > ExponentialIndexer.MaxTableScale)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale must be between {ExponentialIndexer.MinScale} and {ExponentialIndexer.MaxTableScale}");
        }
    }
}
