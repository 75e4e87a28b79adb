using System.Globalization;
using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest;

/// <summary>Consistency checks of histogram points; each returns null or the problem, naming the field.</summary>
internal static class HistogramChecks
{
    public static string? Explicit(HistogramDataPoint point)
    {
        if (point.HasSum && !double.IsFinite(point.Sum))
        {
            return "sum is NaN or infinite";
        }

        if (point.Count > long.MaxValue)
        {
            return "count is out of range";
        }

        var bounds = point.ExplicitBounds;
        var counts = point.BucketCounts;
        if (counts.Count == 0)
        {
            return null;
        }

        if (counts.Count != bounds.Count + 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"has {counts.Count} bucket_counts for {bounds.Count} explicit_bounds (expected {bounds.Count + 1})");
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (double.IsNaN(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1]))
            {
                return "explicit_bounds are not strictly increasing numbers";
            }
        }

        ulong total = 0;
        for (var i = 0; i < counts.Count; i++)
        {
            total += counts[i];
        }

        return total == point.Count
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"bucket_counts add up to {total} but count is {point.Count}");
    }

    public static string? Exponential(ExponentialHistogramDataPoint point)
    {
        if (point.HasSum && !double.IsFinite(point.Sum))
        {
            return "sum is NaN or infinite";
        }

        if (point.Count > long.MaxValue)
        {
            return "count is out of range";
        }

        if (point.Scale is < -10 or > 20)
        {
            return string.Create(CultureInfo.InvariantCulture, $"scale {point.Scale} is outside [-10, 20]");
        }

        var total = point.ZeroCount + Total(point.Positive) + Total(point.Negative);
        return total == point.Count
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"zero_count and bucket counts add up to {total} but count is {point.Count}");
    }

    private static ulong Total(ExponentialHistogramDataPoint.Types.Buckets? buckets)
    {
        ulong total = 0;
        if (buckets is not null)
        {
            for (var i = 0; i < buckets.BucketCounts.Count; i++)
            {
                total += buckets.BucketCounts[i];
            }
        }

        return total;
    }
}
