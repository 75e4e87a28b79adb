using System.Runtime.CompilerServices;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Exact good/total counters for one tier of time slices, in a ring of slots stamped with their slice number.
/// </summary>
/// <remarks>
/// A slot counts good and bad events (total is their sum), each counter only ever added to or reduced by what a
/// hand-over read from it, so neither ever goes below zero and no reading can show more good than total, however it
/// interleaves with writers and hand-overs. A slot is reused by the first write of a newer slice that maps to it
/// (see <see cref="Claim"/>), so increments of the new slice made at any moment are kept. The hand-over is announced
/// to the series' <see cref="ChangeSequence"/>, so no reading sees it half done. The one race left is at the
/// retention edge: a write for a slice that expires while the write is in flight may be counted in the slice that
/// replaces it, whole or in part (its good or its bad events), never as good without total.
/// </remarks>
internal sealed class CounterRing
{
    // A slot being handed over to slice s carries Pending + s until what the expired slice held is removed.
    private const long Pending = long.MinValue;

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
        if (epoch != slice && epoch != Pending + slice && !Claim(ref slot, slice, _changes))
        {
            return false;
        }

        if (good != 0)
        {
            Interlocked.Add(ref slot.Good, good);
        }

        long bad = total - good;
        if (bad != 0)
        {
            Interlocked.Add(ref slot.Bad, bad);
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
                long slotGood = Volatile.Read(ref slot.Good);
                good += slotGood;
                total += slotGood + Volatile.Read(ref slot.Bad);
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
                long good = Volatile.Read(ref _slots[i].Good);
                yield return (epoch, good, good + Volatile.Read(ref _slots[i].Bad));
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
        slot.Bad = total - good;
        return true;
    }

    public static long BytesPerSlot => Unsafe.SizeOf<Slot>();

    /// <summary>
    /// Hands the slot to <paramref name="slice"/>: reads what the expired slice held, moves the stamp with a
    /// compare-and-swap to "pending" for the new slice, removes what it read, then marks the slot done. Only the
    /// winner of the swap removes anything, and only what it read, so a counter never goes below zero; a loser
    /// changes nothing. Writers of the new slice add at once, even while the slot is pending: adds and the removal
    /// commute. A writer that would hand the slot over to a still newer slice while it is pending lets the removal
    /// finish first (a few instructions of another thread; it waits a bounded few microseconds at most, then
    /// goes on, removing no more than the counters hold, so a counter still never goes below zero).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool Claim(ref Slot slot, long slice, ChangeSequence changes)
    {
        changes.Begin();
        try
        {
            int patience = 32;
            while (true)
            {
                long epoch = Volatile.Read(ref slot.Epoch);
                bool pending = epoch < -1;
                long held = pending ? epoch - Pending : epoch;
                if (held == slice)
                {
                    return true;
                }

                if (held > slice)
                {
                    return false;
                }

                if (pending && patience-- > 0)
                {
                    Thread.SpinWait(2);
                    continue;
                }

                long good = Volatile.Read(ref slot.Good);
                long bad = Volatile.Read(ref slot.Bad);
                if (Interlocked.CompareExchange(ref slot.Epoch, Pending + slice, epoch) == epoch)
                {
                    Remove(ref slot.Good, good);
                    Remove(ref slot.Bad, bad);
                    Interlocked.CompareExchange(ref slot.Epoch, slice, Pending + slice);
                    return true;
                }
            }
        }
        finally
        {
            changes.End();
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
        public long Epoch;
        public long Good;
        public long Bad;
    }
}
