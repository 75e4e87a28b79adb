using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Histograms.Windows;

/// <summary>
/// Histograms for one tier of time slices. Each slot holds an immutable-stamped slice object created on the
/// slice's first write and swapped in with a compare-and-swap, so writes never wait and nothing is zeroed in place.
/// </summary>
internal sealed class HistogramRing
{
    private readonly Slice?[] _slots;

    public HistogramRing(SliceTier tier, int scale)
    {
        Tier = tier;
        Scale = scale;
        _slots = new Slice?[tier.Slots];
    }

    public SliceTier Tier { get; }

    public int Scale { get; }

    /// <summary>The cells of the slice holding <paramref name="unixTimeMs"/>, or null when the tier no longer keeps it.</summary>
    public HistogramCells? CellsFor(long unixTimeMs, long headMs)
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
                return current.Cells;
            }

            if (current is not null && current.Number > slice)
            {
                return null;
            }

            var created = new Slice(slice, new HistogramCells(Scale));
            if (Interlocked.CompareExchange(ref slot, created, current) == current)
            {
                return created.Cells;
            }
        }
    }

    public void CopyTo(long firstSlice, long lastSlice, SnapshotAccumulator target)
    {
        long from = Math.Max(firstSlice, lastSlice - Tier.Slots + 1);
        for (long slice = from; slice <= lastSlice; slice++)
        {
            var current = Volatile.Read(ref _slots[(int)(slice % Tier.Slots)]);
            if (current is not null && current.Number == slice)
            {
                current.Cells.CopyTo(target);
            }
        }
    }

    public IEnumerable<(long Slice, HistogramCells Cells)> Slices()
    {
        foreach (var current in _slots)
        {
            if (current is not null)
            {
                yield return (current.Number, current.Cells);
            }
        }
    }

    /// <summary>Creates a restored slice; false when its slot already holds one.</summary>
    public HistogramCells? Restore(long slice)
    {
        ref var slot = ref _slots[(int)(slice % Tier.Slots)];
        if (slot is not null)
        {
            return null;
        }

        slot = new Slice(slice, new HistogramCells(Scale));
        return slot.Cells;
    }

    public long EstimateBytes()
    {
        long bytes = 24 + 8L * _slots.Length;
        foreach (var slot in _slots)
        {
            bytes += slot is null ? 0 : 32 + slot.Cells.EstimateBytes();
        }

        return bytes;
    }

    private sealed record Slice(long Number, HistogramCells Cells);
}
