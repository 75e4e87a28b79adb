namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Sums of slice ranges, with the settled part of long ranges remembered. An evaluation round reads the same
/// windows of every series every few seconds, and a 30-day window is 720 slots of an hour: read slot by slot, the
/// long windows are most of a round. Slices older than the two newest change only when a late event lands in one,
/// when a slot is handed to a newer slice, or on restore; each of those moves <see cref="_version"/> after it is
/// done. A sum of settled slices is remembered with the version it was read under, and kept only when the version
/// did not move while it was read; the next reading of the same window takes it (or moves it by the slices the
/// window slid over) while the version is the same, and reads only the newest slices slot by slot.
/// </summary>
internal sealed partial class CounterRing
{
    /// <summary>Ranges shorter than this are read slot by slot.</summary>
    private const int RememberFrom = 32;

    private const int Remembered = 4;

    private int _version;
    private long _newestSlice = -1;
    private SettledSum?[]? _settled;

    /// <summary>Sums the slices numbered <paramref name="firstSlice"/> to <paramref name="lastSlice"/> that are still kept.</summary>
    public (long Good, long Total) Sum(long firstSlice, long lastSlice)
    {
        long from = Math.Max(Math.Max(firstSlice, 0), lastSlice - Tier.Slots + 1);
        if (from > lastSlice)
        {
            return (0, 0);
        }

        long settledLast = Math.Min(lastSlice, Volatile.Read(ref _newestSlice) - 2);
        if (settledLast - from < RememberFrom)
        {
            return SumSlots(from, lastSlice);
        }

        var (good, total) = SumSettled(from, settledLast);
        var (newGood, newTotal) = SumSlots(settledLast + 1, lastSlice);
        return (good + newGood, total + newTotal);
    }

    private (long Good, long Total) SumSettled(long from, long last)
    {
        int version = Volatile.Read(ref _version);
        var settled = Volatile.Read(ref _settled) ?? Interlocked.CompareExchange(ref _settled, new SettledSum?[Remembered], null) ?? _settled!;

        // The remembered sum of this window: the same range, or one of about the same length it slid from.
        int place = -1;
        SettledSum? known = null;
        for (int i = 0; i < settled.Length; i++)
        {
            var candidate = Volatile.Read(ref settled[i]);
            if (candidate is null)
            {
                place = place < 0 ? i : place;
                continue;
            }

            if (candidate.Version == version && candidate.First == from && candidate.Last == last)
            {
                return (candidate.Good, candidate.Total);
            }

            if (Math.Abs((candidate.Last - candidate.First) - (last - from)) <= 2)
            {
                place = i;
                known = candidate.Version == version && candidate.First <= from && candidate.Last >= from - 1 && candidate.Last <= last ? candidate : null;
            }
        }

        long good;
        long total;
        if (known is not null)
        {
            // The window slid: drop the slices it left, add the ones it reached.
            var (leftGood, leftTotal) = SumSlots(known.First, from - 1);
            var (addedGood, addedTotal) = SumSlots(known.Last + 1, last);
            good = known.Good - leftGood + addedGood;
            total = known.Total - leftTotal + addedTotal;
        }
        else
        {
            (good, total) = SumSlots(from, last);
        }

        if (Volatile.Read(ref _version) == version)
        {
            Volatile.Write(ref settled[place < 0 ? (int)((last - from) % Remembered) : place], new SettledSum(from, last, version, good, total));
        }

        return (good, total);
    }

    private (long Good, long Total) SumSlots(long from, long lastSlice)
    {
        long good = 0;
        long total = 0;
        if (from > lastSlice)
        {
            return (0, 0);
        }

        int index = (int)(from % Tier.Slots);
        long lap = from / Tier.Slots;
        for (long slice = from; slice <= lastSlice; slice++)
        {
            if (Volatile.Read(ref _slots[index].Epoch) == lap)
            {
                var (slotGood, slotBad) = Read(index);
                good += slotGood;
                total += slotGood + slotBad;
            }

            if (++index == _slots.Length)
            {
                index = 0;
                lap++;
            }
        }

        return (good, total);
    }

    /// <summary>After an add to <paramref name="slice"/>: a slice older than the two newest has changed.</summary>
    private void AfterAdd(long slice)
    {
        long newest = Volatile.Read(ref _newestSlice);
        if (slice > newest)
        {
            AtomicMax.Raise(ref _newestSlice, slice);
        }
        else if (slice < newest - 1)
        {
            Changed();
        }
    }

    /// <summary>After a change to a slot that remembered sums may hold (never before it: see the class summary).</summary>
    private void Changed() => Interlocked.Increment(ref _version);

    private sealed record SettledSum(long First, long Last, int Version, long Good, long Total);
}
