using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Buckets;

/// <summary>
/// 16 bucket counters kept in 32-bit cells (half the memory of longs). Before a cell could overflow, the page gets a
/// 64-bit twin (<see cref="Wide"/>) and every later increment goes there; a bucket's count is its narrow cell plus
/// its wide cell, and each increment lands in exactly one of them, so no count is lost or doubled.
/// </summary>
internal sealed class CounterPage
{
    public const int Size = 16;

    /// <summary>A narrow cell at or above this sends the page to 64-bit counters; headroom to int.MaxValue covers in-flight adds.</summary>
    private const int WidenAt = 1 << 30;

    /// <summary>Adds at least this large go straight to the wide counters.</summary>
    private const long LargeAdd = 1 << 20;

    private Cells _narrow;
    private long[]? _wide;

    public long[]? Wide => Volatile.Read(ref _wide);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int slot, long count)
    {
        var wide = _wide;
        if (wide is null && count < LargeAdd)
        {
            if (Interlocked.Add(ref _narrow[slot], (int)count) >= WidenAt)
            {
                Widen();
            }

            return;
        }

        Interlocked.Add(ref (wide ?? Widen())[slot], count);
    }

    public long Read(int slot)
    {
        long narrow = Volatile.Read(ref _narrow[slot]);
        var wide = Volatile.Read(ref _wide);
        return wide is null ? narrow : narrow + Volatile.Read(ref wide[slot]);
    }

    /// <summary>Zeroes the page; only while nothing records into it.</summary>
    public void Clear()
    {
        _narrow = default;
        Volatile.Write(ref _wide, null);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long[] Widen()
    {
        Interlocked.CompareExchange(ref _wide, new long[Size], null);
        return Volatile.Read(ref _wide)!;
    }

    [InlineArray(Size)]
    private struct Cells
    {
        private int _first;
    }
}
