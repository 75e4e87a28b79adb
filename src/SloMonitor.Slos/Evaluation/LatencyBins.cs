using SloMonitor.Histograms;

namespace SloMonitor.Slos.Evaluation;

/// <summary>One bin of a latency distribution: values in (<see cref="Lower"/>, <see cref="Upper"/>], in seconds.</summary>
public readonly record struct LatencyBin(double Lower, double Upper, long Count);

/// <summary>
/// A latency histogram made readable: the exponential buckets of a window merged, neighbours together, into at most
/// a few dozen bins (each bin's bounds are bucket bounds, so a count is never split), plus the values of exactly zero.
/// </summary>
public sealed class LatencyBins
{
    public const int DefaultMaxBins = 40;

    private LatencyBins(long count, long zeroCount, double relativeError, IReadOnlyList<LatencyBin> bins)
    {
        Count = count;
        ZeroCount = zeroCount;
        RelativeError = relativeError;
        Bins = bins;
    }

    public long Count { get; }

    public long ZeroCount { get; }

    /// <summary>The relative error of the underlying buckets' bounds.</summary>
    public double RelativeError { get; }

    /// <summary>From the lowest non-empty bucket to the highest, empty bins between them included.</summary>
    public IReadOnlyList<LatencyBin> Bins { get; }

    public static LatencyBins From(HistogramSnapshot histogram, int maxBins = DefaultMaxBins)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBins, 1);
        var counts = histogram.BucketCounts;
        int first = counts.IndexOfAnyExcept(0L), last = counts.LastIndexOfAnyExcept(0L);
        var bins = new List<LatencyBin>();
        if (first >= 0)
        {
            var width = (last - first + maxBins) / maxBins; // buckets per bin, so that at most maxBins remain
            for (var start = first; start <= last; start += width)
            {
                var end = Math.Min(start + width, last + 1);
                long count = 0;
                for (var i = start; i < end; i++)
                {
                    count += counts[i];
                }

                bins.Add(new LatencyBin(Bound(histogram.Scale, histogram.IndexOffset + start), Bound(histogram.Scale, histogram.IndexOffset + end), count));
            }
        }

        return new LatencyBins(histogram.Count, histogram.ZeroCount, histogram.RelativeError, bins);
    }

    // Bucket i holds (base^i, base^(i+1)] with base = 2^(2^-scale).
    private static double Bound(int scale, int index) => Math.Pow(2, Math.ScaleB(index, -scale));
}
