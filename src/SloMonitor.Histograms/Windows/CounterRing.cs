using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Exact good/total counters for one tier of time slices, in a ring of slots stamped with their slice number.
/// </summary>
/// <remarks>
/// A slot is reused by the first write of a newer slice that maps to it (see <see cref="Claim"/>), so increments of
/// the new slice made at any moment are kept. The hand-over is announced to the series' <see cref="ChangeSequence"/>,
/// so no reading sees it half done. The one race left is at the retention edge: a write for a slice that expires
/// while the write is in flight may be counted in the slice that replaces it.
/// </remarks>
internal sealed class CounterRing
{
    private readonly Slot[] _slots;
    private readonly ChangeSequence _changes;

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

    /// <summary>Adds to the slice holding <paramref name="unixTimeMs"/>; false when the tier no longer keeps it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(long unixTimeMs, long headMs, long good, long total)
    {
        long slice = unixTimeMs / Tier.SliceMs;
        if (slice <= headMs / Tier.SliceMs - Tier.Slots)
        {
            return false;
        }

        ref var slot = ref _slots[(int)(slice % Tier.Slots)];
        long epoch = Volatile.Read(ref slot.Epoch);
        if (epoch != slice && !Claim(ref slot, slice, _changes))
        {
            return false;
        }

        Interlocked.Add(ref slot.Total, total);
        if (good != 0)
        {
            Interlocked.Add(ref slot.Good, good);
        }

        return true;
    }

    /// <summary>Sums the slices numbered <paramref name="firstSlice"/> to <paramref name="lastSlice"/> that are still kept.</summary>
    public (long Good, long Total) Sum(long firstSlice, long lastSlice)
    {
        long good = 0;
        long total = 0;
        long from = Math.Max(firstSlice, lastSlice - Tier.Slots + 1);
        for (long slice = from; slice <= lastSlice; slice++)
        {
            ref var slot = ref _slots[(int)(slice % Tier.Slots)];
            if (Volatile.Read(ref slot.Epoch) == slice)
            {
                good += Volatile.Read(ref slot.Good);
                total += Volatile.Read(ref slot.Total);
            }
        }

        return (good, total);
    }

    /// <summary>Every kept slice, for serialization.</summary>
    public IEnumerable<(long Slice, long Good, long Total)> Slices()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            long epoch = Volatile.Read(ref _slots[i].Epoch);
            if (epoch >= 0)
            {
                yield return (epoch, Volatile.Read(ref _slots[i].Good), Volatile.Read(ref _slots[i].Total));
            }
        }
    }

    /// <summary>Places a restored slice; false when its slot already holds a slice.</summary>
    public bool Restore(long slice, long good, long total)
    {
        ref var slot = ref _slots[(int)(slice % Tier.Slots)];
        if (slot.Epoch >= 0)
        {
            return false;
        }

        slot.Epoch = slice;
        slot.Good = good;
        slot.Total = total;
        return true;
    }

    public static long BytesPerSlot => Unsafe.SizeOf<Slot>();

    /// <summary>
    /// Hands the slot to <paramref name="slice"/>: reads what the expired slice held, moves the stamp with a
    /// compare-and-swap, and only the winner of the swap subtracts what it read. A loser changes nothing, so no
    /// writer ever sees another's half-done hand-over; adds for the new slice made before the subtraction are kept
    /// (adds and the subtraction commute).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Claim(ref Slot slot, long slice, ChangeSequence changes)
    {
        changes.Begin();
        try
        {
            while (true)
            {
                long epoch = Volatile.Read(ref slot.Epoch);
                if (epoch == slice)
                {
                    return true;
                }

                if (epoch > slice)
                {
                    return false;
                }

                long good = Volatile.Read(ref slot.Good);
                long total = Volatile.Read(ref slot.Total);
                if (Interlocked.CompareExchange(ref slot.Epoch, slice, epoch) == epoch)
                {
                    Interlocked.Add(ref slot.Good, -good);
                    Interlocked.Add(ref slot.Total, -total);
                    return true;
                }
            }
        }
        finally
        {
            changes.End();
        }
    }

    private struct Slot
    {
        public long Epoch;
        public long Good;
        public long Total;
    }
}
