using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Exact good/total counters for one tier of time slices, in a ring of 12-byte slots stamped with their lap (slice
/// number / slots: the slot's index gives the rest). Counts live in 32-bit cells; before one could overflow, or for
/// an add of a million or more, the ring gets 64-bit twins of every cell (<see cref="_wide"/>) and every later add
/// goes there. A count is its narrow cell plus its wide cell, and each add lands in exactly one of them.
/// </summary>
/// <remarks>
/// A slot counts good and bad events (total is their sum), each counter only ever added to or reduced by what a
/// hand-over read from it, so neither ever goes below zero and no reading can show more good than total, however it
/// interleaves with writers and hand-overs. A slot is reused by the first write of a newer slice that maps to it
/// (see <see cref="Claim"/>), so increments of the new slice made at any moment are kept. The hand-over is announced
/// to the series' <see cref="ChangeSequence"/>, so no reading sees it half done. The one race left is at the
/// retention edge: a write for a slice that expires while the write is in flight may be counted in the slice that
/// replaces it, whole or in part (its good or its bad events), never as good without total.
/// Laps fit 32 bits for every time up to <see cref="MaxUnixMs"/> at any retention (the smallest tier is 2 slots of
/// 5 seconds).
/// </remarks>
internal sealed partial class CounterRing
{
    /// <summary>The latest time a ring keeps (year 2286); <see cref="SliSeries"/> refuses later times.</summary>
    public const long MaxUnixMs = 10_000_000_000_000;

    // A slot being handed over to lap l carries Pending + l until what the expired slice held is removed.
    private const int Pending = int.MinValue;

    /// <summary>A narrow cell at or above this sends the ring to 64-bit cells; headroom to int.MaxValue covers in-flight adds.</summary>
    private const int WidenAt = 1 << 30;

    /// <summary>Adds at least this large go straight to the wide cells.</summary>
    private const long LargeAdd = 1 << 20;

    private readonly Slot[] _slots;
    private readonly ChangeSequence _changes;
    private long[]? _wide;

    public CounterRing(SliceTier tier, ChangeSequence changes)
    {
        Tier = tier;
        _changes = changes;
        _slots = new Slot[tier.Slots];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i].Epoch = -1;
        }
    }

    public SliceTier Tier { get; }

    public static long BytesPerSlot => Unsafe.SizeOf<Slot>();

    /// <summary>Adds to the slice holding <paramref name="unixTimeMs"/>; false when the tier no longer keeps it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(long unixTimeMs, long headMs, long good, long total)
    {
        long slice = unixTimeMs / Tier.SliceMs;
        if (slice <= headMs / Tier.SliceMs - Tier.Slots)
        {
            return false;
        }

        int index = (int)(slice % Tier.Slots);
        int lap = (int)(slice / Tier.Slots);
        ref var slot = ref _slots[index];
        int epoch = Volatile.Read(ref slot.Epoch);
        if (epoch != lap && epoch != Pending + lap && !Claim(ref slot, index, lap))
        {
            return false;
        }

        long bad = total - good;
        var wide = Volatile.Read(ref _wide);
        if (wide is null && good < LargeAdd && bad < LargeAdd)
        {
            if ((good != 0 && Interlocked.Add(ref slot.Good, (int)good) >= WidenAt) | (bad != 0 && Interlocked.Add(ref slot.Bad, (int)bad) >= WidenAt))
            {
                Widen();
            }
        }
        else
        {
            wide ??= Widen();
            if (good != 0)
            {
                Interlocked.Add(ref wide[2 * index], good);
            }

            if (bad != 0)
            {
                Interlocked.Add(ref wide[(2 * index) + 1], bad);
            }
        }

        AfterAdd(slice);
        return true;
    }

    /// <summary>Every kept slice, for serialization.</summary>
    public IEnumerable<(long Slice, long Good, long Total)> Slices()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            int epoch = Volatile.Read(ref _slots[i].Epoch);
            if (epoch >= 0)
            {
                var (good, bad) = Read(i);
                yield return (((long)epoch * Tier.Slots) + i, good, good + bad);
            }
        }
    }

    /// <summary>Empties every slot, keeping the arrays; only while nothing writes or reads.</summary>
    public void Clear()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot { Epoch = -1 };
        }

        if (_wide is { } wide)
        {
            Array.Clear(wide);
        }
    }

    /// <summary>Places a restored slice; false when its slot already holds a slice.</summary>
    public bool Restore(long slice, long good, long total)
    {
        if (slice < 0 || slice > MaxUnixMs / Tier.SliceMs)
        {
            return false;
        }

        int index = (int)(slice % Tier.Slots);
        ref var slot = ref _slots[index];
        if (slot.Epoch >= 0)
        {
            return false;
        }

        slot.Epoch = (int)(slice / Tier.Slots);
        AtomicMax.Raise(ref _newestSlice, slice);
        long bad = total - good;
        if (good < WidenAt && bad < WidenAt)
        {
            slot.Good = (int)good;
            slot.Bad = (int)bad;
            Changed();
            return true;
        }

        var wide = Widen();
        wide[2 * index] = good;
        wide[(2 * index) + 1] = bad;
        Changed();
        return true;
    }

    public long EstimateBytes() => 40 + (BytesPerSlot * _slots.Length) + (Volatile.Read(ref _wide) is { } wide ? 24 + (8L * wide.Length) : 0)
        + (Volatile.Read(ref _settled) is null ? 0 : 56 + (Remembered * 64));

    private (long Good, long Bad) Read(int index)
    {
        ref var slot = ref _slots[index];
        long good = Volatile.Read(ref slot.Good);
        long bad = Volatile.Read(ref slot.Bad);
        var wide = Volatile.Read(ref _wide);
        return wide is null ? (good, bad) : (good + Volatile.Read(ref wide[2 * index]), bad + Volatile.Read(ref wide[(2 * index) + 1]));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long[] Widen()
    {
        Interlocked.CompareExchange(ref _wide, new long[2 * _slots.Length], null);
        return Volatile.Read(ref _wide)!;
    }

    /// <summary>
    /// Hands the slot to <paramref name="lap"/>: reads what the expired slice held, moves the stamp with a
    /// compare-and-swap to "pending" for the new slice, removes what it read, then marks the slot done. Only the
    /// winner of the swap removes anything, and only what it read (from the cell it read it from), so a counter never
    /// goes below zero; a loser changes nothing. Writers of the new slice add at once, even while the slot is pending:
    /// adds and the removal commute. A writer that would hand the slot over to a still newer slice while it is
    /// pending lets the removal finish first (a few instructions of another thread; it waits a bounded few
    /// microseconds at most, then goes on, removing no more than the counters hold, so a counter still never goes
    /// below zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool Claim(ref Slot slot, int index, int lap)
    {
        _changes.Begin();
        try
        {
            int patience = 32;
            while (true)
            {
                int epoch = Volatile.Read(ref slot.Epoch);
                bool pending = epoch < -1;
                int held = pending ? epoch - Pending : epoch;
                if (held == lap)
                {
                    return true;
                }

                if (held > lap)
                {
                    return false;
                }

                if (pending && patience-- > 0)
                {
                    Thread.SpinWait(2);
                    continue;
                }

                int good = Volatile.Read(ref slot.Good);
                int bad = Volatile.Read(ref slot.Bad);
                var wide = Volatile.Read(ref _wide);
                long wideGood = wide is null ? 0 : Volatile.Read(ref wide[2 * index]);
                long wideBad = wide is null ? 0 : Volatile.Read(ref wide[(2 * index) + 1]);
                if (Interlocked.CompareExchange(ref slot.Epoch, Pending + lap, epoch) == epoch)
                {
                    Remove(ref slot.Good, good);
                    Remove(ref slot.Bad, bad);
                    if (wide is not null)
                    {
                        Remove(ref wide[2 * index], wideGood);
                        Remove(ref wide[(2 * index) + 1], wideBad);
                    }

                    Interlocked.CompareExchange(ref slot.Epoch, lap, Pending + lap);
                    Changed();
                    return true;
                }
            }
        }
        finally
        {
            _changes.End();
        }
    }

    /// <summary>Takes <paramref name="amount"/> off a counter, never below zero.</summary>
    private static void Remove(ref int counter, int amount)
    {
        if (amount == 0)
        {
            return;
        }

        int current = Volatile.Read(ref counter);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref counter, Math.Max(0, current - amount), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Takes <paramref name="amount"/> off a counter, never below zero.</summary>
    private static void Remove(ref long counter, long amount)
    {
        if (amount == 0)
        {
            return;
        }

        long current = Volatile.Read(ref counter);
        while (true)
        {
            long seen = Interlocked.CompareExchange(ref counter, Math.Max(0, current - amount), current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private struct Slot
    {
        public int Epoch;
        public int Good;
        public int Bad;
    }
}
