using System.Numerics;
using System.Runtime.CompilerServices;

namespace SloMonitor.Slos.Attribution;

/// <summary>
/// The sampling of good events: one in <c>GoodSampleEvery</c> doubled <c>_shift</c> times, the doubling chosen at
/// each new minute from the minute before and raised as the minute fills, so that busy SLOs take about
/// <see cref="AttributionOptions.GoodSamplesPerMinute"/> samples a minute and quiet ones count every event.
/// </summary>
internal sealed partial class SloAttribution
{
    /// <summary>A new minute: the interval starts from what the minute before it brought (the least one after a quiet minute).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ChooseShift(long unixMs)
    {
        var sliceMs = _rings[0].SliceMs;
        var start = unixMs - (unixMs % sliceMs);
        _shiftUntilMs = start + sliceMs;
        var before = _rings[0].Current(start - 1)?.Total ?? 0;
        var now = _rings[0].Current(unixMs)?.Total ?? 0;
        var shift = ShiftFor(Math.Max(before, now));
        if (shift != _shift)
        {
            _shift = shift;
        }
    }

    /// <summary>The minute has brought <paramref name="total"/> events so far: sample sparser if that is more than the samples a minute allow.</summary>
    private void Widen(long total)
    {
        var shift = ShiftFor(total);
        if (shift > _shift)
        {
            _shift = shift;
        }
    }

    /// <summary>The least doubling of the interval at which <paramref name="total"/> events give at most about twice the samples a minute allow.</summary>
    private int ShiftFor(long total)
    {
        var ratio = total / (_samplesPerSlice * _sampleWeight);
        return ratio <= 1 ? 0 : Math.Min(_maxShift, BitOperations.Log2((ulong)ratio));
    }

    private bool Sample(int shift)
    {
        if (_sampleWeight == 1 && shift == 0)
        {
            return true;
        }

        var x = t_random;
        if (x == 0)
        {
            x = ((uint)Environment.CurrentManagedThreadId * 2654435761u) | 1;
        }

        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        t_random = x;
        return x < _sampleBelow >> shift;
    }
}
