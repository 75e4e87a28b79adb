using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Histograms for one tier of time slices. Each slot holds a <see cref="HistogramSlice"/> stamped with its slice
/// number, created on the slice's first write and swapped in with a compare-and-swap, so writes never wait and
/// nothing is zeroed in place. Slices that write stripes can no longer reach are sealed into a compact encoding.
/// </summary>
internal sealed class HistogramRing
{
    private readonly HistogramSlice?[] _slots;
    private bool _created;

    public HistogramRing(SliceTier tier, int scale)
    {
        Tier = tier;
        Scale = scale;
        _slots = new HistogramSlice?[tier.Slots];
    }

    public SliceTier Tier { get; }

    public int Scale { get; }

    /// <summary>True when a slice was created since the last <see cref="SealEndingBy"/>.</summary>
    public bool CreatedSlices => Volatile.Read(ref _created);

    /// <summary>
    /// Opens the slice holding <paramref name="unixTimeMs"/> for writing (its <see cref="SliceWrite.Cells"/> are null
    /// when the tier no longer keeps it); dispose the result when done writing.
    /// </summary>
    public SliceWrite Write(long unixTimeMs, long headMs)
    {
        var slice = SliceFor(unixTimeMs, headMs);
        if (slice is null)
        {
            return default;
        }

        return new SliceWrite(slice.Enter());
    }

    public void CopyTo(long firstSlice, long lastSlice, IBucketSink target)
    {
        long from = Math.Max(firstSlice, lastSlice - Tier.Slots + 1);
        for (long slice = from; slice <= lastSlice; slice++)
        {
            var current = Volatile.Read(ref _slots[(int)(slice % Tier.Slots)]);
            if (current is not null && current.Number == slice)
            {
                current.CopyTo(target);
            }
        }
    }

    public IEnumerable<HistogramSlice> Slices()
    {
        foreach (var current in _slots)
        {
            if (current is not null)
            {
                yield return current;
            }
        }
    }

    /// <summary>Seals every live slice that ends at or before <paramref name="endMs"/>; false when some could not be yet.</summary>
    public bool SealEndingBy(long endMs)
    {
        Volatile.Write(ref _created, false);
        bool all = true;
        long lastSlice = endMs / Tier.SliceMs - 1;
        for (int i = 0; i < _slots.Length; i++)
        {
            var current = Volatile.Read(ref _slots[i]);
            if (current is not null && current.Number <= lastSlice && !current.IsSealed)
            {
                all &= current.TrySeal();
            }
        }

        return all;
    }

    /// <summary>Empties every slot; only while nothing writes or reads.</summary>
    public void Clear()
    {
        Array.Clear(_slots);
        Volatile.Write(ref _created, false);
    }

    /// <summary>Creates a restored slice; null when its slot already holds one.</summary>
    public HistogramCells? Restore(long slice)
    {
        ref var slot = ref _slots[(int)(slice % Tier.Slots)];
        if (slot is not null)
        {
            return null;
        }

        slot = new HistogramSlice(slice, Scale);
        return slot.CellsToRestore;
    }

    public long EstimateBytes()
    {
        long bytes = 24 + 8L * _slots.Length;
        foreach (var slot in _slots)
        {
            bytes += slot?.EstimateBytes() ?? 0;
        }

        return bytes;
    }

    private HistogramSlice? SliceFor(long unixTimeMs, long headMs)
    {
        long slice = unixTimeMs / Tier.SliceMs;
        if (slice <= headMs / Tier.SliceMs - Tier.Slots)
        {
            return null;
        }

        ref var slot = ref _slots[(int)(slice % Tier.Slots)];
        while (true)
        {
            var current = Volatile.Read(ref slot);
            if (current is not null && current.Number == slice)
            {
                return current;
            }

            if (current is not null && current.Number > slice)
            {
                return null;
            }

            var created = new HistogramSlice(slice, Scale);
            if (Interlocked.CompareExchange(ref slot, created, current) == current)
            {
                Volatile.Write(ref _created, true);
                return created;
            }
        }
    }
}
