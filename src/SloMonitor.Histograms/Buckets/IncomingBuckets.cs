namespace SloMonitor.Histograms.Buckets;

/// <summary>Validation and mapping of histogram data points received from outside (OTLP).</summary>
internal static class IncomingBuckets
{
    /// <summary>
    /// Merges an OTLP exponential histogram's zero and positive buckets into <paramref name="cells"/>, exactly:
    /// finer incoming scales are downscaled, coarser ones kept at their scale.
    /// </summary>
    public static long MergeExponential(HistogramCells cells, int scale, ulong zeroCount, int positiveOffset, ReadOnlySpan<ulong> positiveBucketCounts)
    {
        ValidateExponential(scale, zeroCount, positiveOffset, positiveBucketCounts);
        long total = 0;
        if (zeroCount > 0)
        {
            cells.AddZero((long)zeroCount);
            total += (long)zeroCount;
        }

        for (int i = 0; i < positiveBucketCounts.Length; i++)
        {
            ulong count = positiveBucketCounts[i];
            if (count != 0)
            {
                cells.AddBucket(scale, positiveOffset + i, (long)count);
                total += (long)count;
            }
        }

        return total;
    }

    public static void ValidateExponential(int scale, ulong zeroCount, int positiveOffset, ReadOnlySpan<ulong> positiveBucketCounts)
    {
        if (scale < ExponentialIndexer.MinScale || scale > ExponentialIndexer.MaxScale)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, $"scale must be between {ExponentialIndexer.MinScale} and {ExponentialIndexer.MaxScale}");
        }

        var (min, max) = ExponentialIndexer.IndexRange(scale);
        if (positiveBucketCounts.Length > 0
            && (positiveOffset < min || (long)positiveOffset + positiveBucketCounts.Length - 1 > max))
        {
            throw new ArgumentOutOfRangeException(nameof(positiveOffset), positiveOffset, $"positive buckets at scale {scale} must have indexes between {min} and {max}");
        }

        ulong sum = zeroCount;
        foreach (ulong count in positiveBucketCounts)
        {
            sum += count;
            if (sum > long.MaxValue || count > long.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(positiveBucketCounts), "bucket counts add up to more than a long can hold");
            }
        }

        if (zeroCount > long.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(zeroCount), "zero count is larger than a long can hold");
        }
    }

    /// <summary>
    /// Checks an OTLP explicit-bucket histogram: strictly increasing finite bounds and one more count than bounds.
    /// </summary>
    public static void ValidateExplicit(ReadOnlySpan<double> explicitBounds, ReadOnlySpan<ulong> bucketCounts)
    {
        if (bucketCounts.Length != explicitBounds.Length + 1)
        {
            throw new ArgumentException($"bucketCounts must have explicitBounds.Length + 1 = {explicitBounds.Length + 1} entries, got {bucketCounts.Length}", nameof(bucketCounts));
        }

        for (int i = 0; i < explicitBounds.Length; i++)
        {
            if (!double.IsFinite(explicitBounds[i]) || (i > 0 && explicitBounds[i] <= explicitBounds[i - 1]))
            {
                throw new ArgumentException($"explicitBounds must be finite and strictly increasing (index {i} is {explicitBounds[i]})", nameof(explicitBounds));
            }
        }

        ulong sum = 0;
        foreach (ulong count in bucketCounts)
        {
            sum += count;
            if (sum > long.MaxValue || count > long.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(bucketCounts), "bucket counts add up to more than a long can hold");
            }
        }
    }

    /// <summary>
    /// Where the count of explicit bucket <paramref name="bucket"/> is placed. Bucket i covers
    /// (bounds[i-1], bounds[i]]. A bounded bucket (L, U] with L &gt; 0 is placed at its geometric mean √(LU), so each
    /// value in it is misplaced by a factor of at most √(U/L). The first bucket (-∞, b0] and any bucket whose lower
    /// bound is ≤ 0 are placed at their upper bound (never understating latency); the overflow bucket (b_last, +∞)
    /// is placed at b_last. A point ≤ 0 goes to the zero bucket.
    /// </summary>
    public static double Representative(ReadOnlySpan<double> explicitBounds, int bucket)
    {
        if (explicitBounds.Length == 0)
        {
            return 0;
        }

        if (bucket == explicitBounds.Length)
        {
            return explicitBounds[^1];
        }

        double upper = explicitBounds[bucket];
        if (bucket == 0)
        {
            return upper;
        }

        double lower = explicitBounds[bucket - 1];
        return lower > 0 ? Math.Sqrt(lower) * Math.Sqrt(upper) : upper;
    }

    public static long MergeExplicit(HistogramCells cells, ReadOnlySpan<double> explicitBounds, ReadOnlySpan<ulong> bucketCounts)
    {
        ValidateExplicit(explicitBounds, bucketCounts);
        long total = 0;
        for (int i = 0; i < bucketCounts.Length; i++)
        {
            long count = (long)bucketCounts[i];
            if (count == 0)
            {
                continue;
            }

            double point = Representative(explicitBounds, i);
            cells.Add(point > 0 ? point : 0, count);
            total += count;
        }

        return total;
    }
}
