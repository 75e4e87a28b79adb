using SloMonitor.Otlp.Metrics;

namespace SloMonitor.Ingest;

/// <summary>
/// Cumulative-to-delta arithmetic for one series; callers hold the lock of the <see cref="SeriesState"/>.
/// A reset is a newer start_time_unix_nano, or (same or unknown start) a value, count or bucket that went down,
/// or a bucket layout that changed: the new point's whole value is then the delta.
/// </summary>
internal static class CumulativeDelta
{
    public static DeltaStep Classify(SeriesState state, ulong start, ulong time, bool countsFromStart)
    {
        if (!state.HasValue)
        {
            return state.Returned ? ClassifyReturned(state, start, countsFromStart)
                : countsFromStart ? DeltaStep.Full : DeltaStep.Baseline;
        }

        if (start != 0 && state.StartTime != 0 && start != state.StartTime)
        {
            return start > state.StartTime ? DeltaStep.Full : DeltaStep.Stale;
        }

        return time <= state.LastTime ? DeltaStep.Stale : DeltaStep.Difference;
    }

    /// <summary>
    /// The first point of a series that was evicted and came back. What it counted before the eviction may already
    /// have been counted, so it is only a baseline, unless its start time proves a restart since: later than the
    /// start time it had (or, when it had none, than its last point), and after this instance started.
    /// </summary>
    private static DeltaStep ClassifyReturned(SeriesState state, ulong start, bool countsFromStart)
    {
        var known = state.EvictedStartTime != 0 ? state.EvictedStartTime : state.EvictedLastTime;
        if (start != 0 && state.EvictedStartTime != 0 && start < state.EvictedStartTime)
        {
            return DeltaStep.Stale;
        }

        var restarted = start != 0 && start > known && countsFromStart;
        state.Returned = false;
        IngestMetrics.ReturnedSeries.WithLabels(restarted ? "restarted" : "baseline").Inc();
        return restarted ? DeltaStep.Full : DeltaStep.Baseline;
    }

    public static double Sum(SeriesState state, ulong start, ulong time, double value, bool monotonic, bool countsFromStart, long now)
    {
        var step = Classify(state, start, time, countsFromStart);
        if (step == DeltaStep.Stale)
        {
            return 0;
        }

        var delta = step switch
        {
            DeltaStep.Baseline => 0,
            DeltaStep.Full => value,
            _ => monotonic && value < state.Value ? value : value - state.Value,
        };
        Remember(state, start, time, now);
        state.Value = value;
        return delta;
    }

    /// <summary>Writes the delta bucket counts to <paramref name="buffers"/>; returns the delta count.</summary>
    public static ulong Histogram(
        SeriesState state, HistogramDataPoint point, bool countsFromStart, long now, DeltaBuffers buffers, out double sum)
    {
        var counts = point.BucketCounts;
        var output = buffers.BucketsFor(counts.Count);
        var step = Classify(state, point.StartTimeUnixNano, point.TimeUnixNano, countsFromStart);
        if (step == DeltaStep.Difference && !SubtractHistogram(state, point, output))
        {
            step = DeltaStep.Full;
        }

        ulong count;
        switch (step)
        {
            case DeltaStep.Full:
                counts.CopyTo(output, 0);
                count = point.Count;
                sum = point.HasSum ? point.Sum : double.NaN;
                break;
            case DeltaStep.Difference:
                count = point.Count - state.Count;
                sum = point.HasSum ? point.Sum - state.Sum : double.NaN;
                break;
            default:
                Array.Clear(output, 0, counts.Count);
                count = 0;
                sum = point.HasSum ? 0 : double.NaN;
                break;
        }

        if (step != DeltaStep.Stale)
        {
            Remember(state, point.StartTimeUnixNano, point.TimeUnixNano, now);
            state.Count = point.Count;
            state.Sum = point.HasSum ? point.Sum : double.NaN;
            state.Bounds = CopyBounds(state.Bounds, point);
            state.Buckets = CopyCounts(state.Buckets, counts, counts.Count);
            state.BucketLength = counts.Count;
        }

        return count;
    }

    /// <summary>Writes the delta positive bucket counts to <paramref name="buffers"/>; returns the delta count.</summary>
    public static ulong Exponential(
        SeriesState state, ExponentialHistogramDataPoint point, bool countsFromStart, long now, DeltaBuffers buffers,
        out double sum, out ulong zeroCount)
    {
        var positive = point.Positive;
        var length = positive?.BucketCounts.Count ?? 0;
        var output = buffers.BucketsFor(length);
        var step = Classify(state, point.StartTimeUnixNano, point.TimeUnixNano, countsFromStart);
        if (step == DeltaStep.Difference && !SubtractExponential(state, point, output, length))
        {
            step = DeltaStep.Full;
        }

        ulong count;
        switch (step)
        {
            case DeltaStep.Full:
                positive?.BucketCounts.CopyTo(output, 0);
                count = point.Count;
                zeroCount = point.ZeroCount;
                sum = point.HasSum ? point.Sum : double.NaN;
                break;
            case DeltaStep.Difference:
                count = point.Count - state.Count;
                zeroCount = point.ZeroCount - state.ZeroCount;
                sum = point.HasSum ? point.Sum - state.Sum : double.NaN;
                break;
            default:
                Array.Clear(output, 0, length);
                count = 0;
                zeroCount = 0;
                sum = point.HasSum ? 0 : double.NaN;
                break;
        }

        if (step != DeltaStep.Stale)
        {
            Remember(state, point.StartTimeUnixNano, point.TimeUnixNano, now);
            state.Count = point.Count;
            state.Sum = point.HasSum ? point.Sum : double.NaN;
            state.ZeroCount = point.ZeroCount;
            state.Scale = point.Scale;
            state.Offset = positive?.Offset ?? 0;
            state.Buckets = positive is null ? state.Buckets : CopyCounts(state.Buckets, positive.BucketCounts, length);
            state.BucketLength = length;
        }

        return count;
    }

    private static void Remember(SeriesState state, ulong start, ulong time, long now)
    {
        state.HasValue = true;
        state.StartTime = start;
        state.LastTime = time;
        Volatile.Write(ref state.LastSeenUnixNano, now);
    }

    private static bool SubtractHistogram(SeriesState state, HistogramDataPoint point, ulong[] output)
    {
        var counts = point.BucketCounts;
        var bounds = point.ExplicitBounds;
        if (point.Count < state.Count || counts.Count != state.BucketLength || bounds.Count != state.Bounds.Length)
        {
            return false;
        }

        for (var i = 0; i < bounds.Count; i++)
        {
            if (bounds[i] != state.Bounds[i])
            {
                return false;
            }
        }

        for (var i = 0; i < counts.Count; i++)
        {
            var current = counts[i];
            var previous = state.Buckets[i];
            if (current < previous)
            {
                return false;
            }

            output[i] = current - previous;
        }

        return true;
    }

    // The exporter may lower the scale between points (buckets merge); the previous buckets are merged the same
    // way before subtracting. A higher scale, or a previous bucket that does not fit, is a reset.
    private static bool SubtractExponential(SeriesState state, ExponentialHistogramDataPoint point, ulong[] output, int length)
    {
        if (point.Count < state.Count || point.ZeroCount < state.ZeroCount || point.Scale > state.Scale)
        {
            return false;
        }

        var shift = state.Scale - point.Scale;
        var offset = point.Positive?.Offset ?? 0;
        point.Positive?.BucketCounts.CopyTo(output, 0);
        for (var j = 0; j < state.BucketLength; j++)
        {
            var previous = state.Buckets[j];
            if (previous == 0)
            {
                continue;
            }

            var position = ((state.Offset + j) >> shift) - offset;
            if (position < 0 || position >= length || output[position] < previous)
            {
                return false;
            }

            output[position] -= previous;
        }

        return true;
    }

    private static double[] CopyBounds(double[] existing, HistogramDataPoint point)
    {
        var bounds = point.ExplicitBounds;
        var target = existing.Length == bounds.Count ? existing : new double[bounds.Count];
        bounds.CopyTo(target, 0);
        return target;
    }

    private static ulong[] CopyCounts(ulong[] existing, Google.Protobuf.Collections.RepeatedField<ulong> counts, int length)
    {
        var target = existing.Length >= length ? existing : new ulong[length];
        counts.CopyTo(target, 0);
        return target;
    }
}
