using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// What one write stripe recorded for one 30-second period: good/total for each 5-second slice of it and, for a
/// latency series, the histogram of the period. Every tier's slice is a whole number of these (5 s divides every
/// counter slice, 30 s every histogram slice), so the buffer folds into the tiers exactly.
/// </summary>
/// <remarks>
/// Laid out over 256 bytes with the counters in the middle, so that the counters of two stripes never share a cache
/// line. Each slice counts good and bad events (<see cref="Interlocked"/> adds; total is their sum, one add per event):
/// neither counter is ever below zero, so whatever a reader reads, while writers add or the buffer is emptied for
/// reuse, it never sees good above total.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = 256)]
internal sealed class PeriodBuffer
{
    public const long PeriodMs = 30_000;
    public const long SliceMs = 5_000;
    public const int Slices = (int)(PeriodMs / SliceMs);

    [FieldOffset(0)]
    private readonly HistogramCells? _cells;

    [FieldOffset(8)]
    private long _startMs;

    /// <summary>Set by the first value recorded (a read before the write, so the line is written once a period).</summary>
    [FieldOffset(16)]
    private bool _hasValues;

    [FieldOffset(64)]
    private Counters _counters;

    public PeriodBuffer(int? histogramScale)
    {
        _cells = histogramScale is int scale ? new HistogramCells(scale) : null;
        _startMs = -PeriodMs;
    }

    /// <summary>The period's number (start time / <see cref="PeriodMs"/>).</summary>
    public long Period => Volatile.Read(ref _startMs) / PeriodMs;

    public long StartMs => Volatile.Read(ref _startMs);

    /// <summary>The period's histogram, or null when the buffer holds no value (or the series keeps no histogram).</summary>
    public HistogramCells? Cells => Volatile.Read(ref _hasValues) ? _cells : null;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAdd(long unixTimeMs, long good, long total)
    {
        long offset = unixTimeMs - _startMs;
        if ((ulong)offset >= PeriodMs)
        {
            return false;
        }

        int slice = (int)(offset / SliceMs);
        if (good != 0)
        {
            Interlocked.Add(ref _counters[2 * slice], good);
        }

        if (total != good)
        {
            Interlocked.Add(ref _counters[(2 * slice) + 1], total - good);
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddValue(long unixTimeMs, double value, bool good)
    {
        if (!TryAdd(unixTimeMs, good ? 1 : 0, 1))
        {
            return false;
        }

        if (_cells is { } cells)
        {
            cells.Add(value, 1);
            if (!_hasValues)
            {
                Volatile.Write(ref _hasValues, true);
            }
        }

        return true;
    }

    /// <summary>Good and total of slice <paramref name="slice"/> (0 .. <see cref="Slices"/> - 1).</summary>
    public (long Good, long Total) Read(int slice)
    {
        long good = Volatile.Read(ref _counters[2 * slice]);
        return (good, good + Volatile.Read(ref _counters[(2 * slice) + 1]));
    }

    /// <summary>Empties the buffer for another period; only while no writer can reach it.</summary>
    public void Reset(long period)
    {
        _counters = default;
        _cells?.Clear();
        _hasValues = false;
        Volatile.Write(ref _startMs, period * PeriodMs);
    }

    public long EstimateBytes() => 256 + (_cells?.EstimateBytes() ?? 0);

    [InlineArray(2 * Slices)]
    private struct Counters
    {
        private long _first;
    }
}
