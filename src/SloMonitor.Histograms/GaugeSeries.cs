using SloMonitor.Histograms.Serialization;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms;

/// <summary>
/// A gauge (replication lag, queue depth) kept as fixed time slices for time-slice SLIs: a slice is good when its
/// max (or average) is at or below the threshold. Recording is lock-free; the newest time seen is the clock for
/// retention.
/// </summary>
public sealed class GaugeSeries
{
    private const byte Version = 1;

    private readonly GaugeSlice?[] _slots;
    private long _headMs = -1;

    public GaugeSeries(TimeSpan timeslice, TimeSpan retention)
    {
        if (timeslice < TimeSpan.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(timeslice), timeslice, "timeslice must be at least 1 ms");
        }

        if (retention < timeslice)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, $"retention must be at least the timeslice ({timeslice})");
        }

        Timeslice = timeslice;
        Retention = retention;
        SliceMs = (long)timeslice.TotalMilliseconds;
        RetentionMs = (long)retention.TotalMilliseconds;
        long slots = (RetentionMs + SliceMs - 1) / SliceMs + 1;
        if (slots > 10_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(timeslice), timeslice, "retention / timeslice must not exceed 10,000,000 slices");
        }

        _slots = new GaugeSlice?[slots];
    }

    public TimeSpan Timeslice { get; }

    public TimeSpan Retention { get; }

    private long SliceMs { get; }

    private long RetentionMs { get; }

    /// <summary>Adds a sample; false (nothing recorded) for NaN or infinite values and times older than the retention.</summary>
    public bool Record(long unixTimeMs, double value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixTimeMs);
        if (!double.IsFinite(value))
        {
            return false;
        }

        long head = Advance(unixTimeMs);
        if (unixTimeMs < head - RetentionMs)
        {
            return false;
        }

        if (SliceFor(unixTimeMs / SliceMs) is not { } slice)
        {
            return false;
        }

        slice.Add(value);
        return true;
    }

    /// <summary>
    /// Adds every slice of <paramref name="other"/> (same time slice and retention) to this series: for a checkpoint
    /// that comes back after this series began recording. Samples add up; slices older than the retention are left out.
    /// </summary>
    public void MergeFrom(GaugeSeries other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.SliceMs != SliceMs || other.RetentionMs != RetentionMs)
        {
            throw new ArgumentException($"a gauge series of {other.Timeslice} slices kept {other.Retention} cannot merge into one of {Timeslice} slices kept {Retention}", nameof(other));
        }

        long head = Advance(Volatile.Read(ref other._headMs));
        foreach (var source in other._slots)
        {
            if (source is { Count: > 0 } && source.Number * SliceMs >= head - RetentionMs - SliceMs && SliceFor(source.Number) is { } target)
            {
                target.Merge(source.Count, source.Sum, source.Max);
            }
        }
    }

    /// <summary>Empties the series for reuse (a delta that was handed on); only while nothing records into it or reads it.</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Volatile.Write(ref _headMs, -1);
    }

    /// <summary>The slot's slice numbered <paramref name="number"/>, created when the slot held an older one; null when it holds a newer one.</summary>
    private GaugeSlice? SliceFor(long number)
    {
        ref var slot = ref _slots[number % _slots.Length];
        while (true)
        {
            var current = Volatile.Read(ref slot);
            if (current is not null && current.Number == number)
            {
                return current;
            }

            if (current is not null && current.Number > number)
            {
                return null;
            }

            Interlocked.CompareExchange(ref slot, new GaugeSlice(number), current);
        }
    }

    /// <summary>
    /// Counts the slices lying wholly inside [now - window, now] that have samples, and those among them whose
    /// aggregate is at or below <paramref name="threshold"/>.
    /// </summary>
    public (long GoodSlices, long TotalSlices) CountSlices(long nowUnixMs, TimeSpan window, double threshold, GaugeAggregation aggregation)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nowUnixMs);
        long windowMs = (long)window.TotalMilliseconds;
        if (windowMs <= 0 || windowMs > RetentionMs)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"window must be positive and at most the retention ({Retention})");
        }

        if (double.IsNaN(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a number");
        }

        long first = (Math.Max(0, nowUnixMs - windowMs) + SliceMs - 1) / SliceMs;
        long last = nowUnixMs / SliceMs - 1;
        first = Math.Max(first, last - _slots.Length + 1);
        long good = 0;
        long total = 0;
        for (long number = first; number <= last; number++)
        {
            var slice = Volatile.Read(ref _slots[number % _slots.Length]);
            if (slice is null || slice.Number != number || slice.Count == 0)
            {
                continue;
            }

            total++;
            double value = aggregation == GaugeAggregation.Max ? slice.Max : slice.Sum / slice.Count;
            if (value <= threshold)
            {
                good++;
            }
        }

        return (good, total);
    }

    /// <summary>An estimate of the memory the series holds: its slot array and the slices in it, in bytes.</summary>
    public long EstimateBytes()
    {
        long bytes = 64 + 8L * _slots.Length;
        foreach (var slot in _slots)
        {
            bytes += slot is null ? 0 : 56;
        }

        return bytes;
    }

    /// <summary>The whole state in a compact binary form: "SLIG", version, timeslice, retention, newest time, slices.</summary>
    public byte[] ToBytes()
    {
        var writer = new ByteWriter();
        writer.WriteBytes("SLIG"u8);
        writer.WriteBytes([Version]);
        writer.WriteCount(SliceMs);
        writer.WriteCount(RetentionMs);
        writer.WriteSigned(Volatile.Read(ref _headMs));
        var slices = _slots.Where(s => s is not null).Select(s => s!).ToList();
        writer.WriteCount(slices.Count);
        foreach (var slice in slices)
        {
            writer.WriteCount(slice.Number);
            writer.WriteCount(slice.Count);
            writer.WriteDouble(slice.Sum);
            writer.WriteDouble(slice.Max);
        }

        return writer.ToArray();
    }

    /// <summary>Restores a series written by <see cref="ToBytes"/>; throws <see cref="FormatException"/> on bad input.</summary>
    public static GaugeSeries FromBytes(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        reader.ExpectMagic("SLIG"u8, Version, "gauge series");
        long sliceMs = reader.ReadCount("timeslice");
        long retentionMs = reader.ReadCount("retention");
        GaugeSeries series;
        try
        {
            series = new GaugeSeries(TimeSpan.FromMilliseconds(sliceMs), TimeSpan.FromMilliseconds(retentionMs));
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"gauge snapshot options are invalid: {e.Message}", e);
        }

        series._headMs = reader.ReadSigned("newest time");
        int count = reader.ReadLength("slice count", series._slots.Length);
        for (int i = 0; i < count; i++)
        {
            long number = reader.ReadCount("slice");
            long samples = reader.ReadCount("sample count");
            double sum = reader.ReadDouble("sum");
            double max = reader.ReadDouble("max");
            ref var slot = ref series._slots[number % series._slots.Length];
            if (slot is not null)
            {
                throw new FormatException($"gauge slice {number} is repeated");
            }

            slot = new GaugeSlice(number);
            slot.Restore(samples, sum, max);
        }

        if (!reader.AtEnd)
        {
            throw new FormatException("gauge snapshot has trailing bytes");
        }

        return series;
    }

    private long Advance(long unixTimeMs) => AtomicMax.Raise(ref _headMs, unixTimeMs);
}
