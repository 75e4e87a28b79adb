namespace SloMonitor.Slos.Attribution;

/// <summary>
/// A ring of slices of one width: the slice of an event's time is made on first use and replaces the slice that
/// held its place; events older than the ring keeps are not counted. Lock-free (compare-and-swap on the slot).
/// </summary>
internal sealed class AttributionRing
{
    private readonly AttributionSlice?[] _slots;
    private readonly Func<long, AttributionSlice> _create;

    public AttributionRing(TimeSpan sliceLength, int slices, Func<long, AttributionSlice> create)
    {
        SliceMs = (long)sliceLength.TotalMilliseconds;
        _slots = new AttributionSlice?[slices];
        _create = create;
    }

    public long SliceMs { get; }

    /// <summary>The longest window this ring answers: all its slices but the one being filled.</summary>
    public long SpanMs => SliceMs * (_slots.Length - 1);

    public AttributionSlice? Current(long unixMs)
    {
        var start = unixMs - (unixMs % SliceMs);
        var slice = Volatile.Read(ref _slots[Index(start)]);
        return slice?.StartMs == start ? slice : null;
    }

    public AttributionSlice? SliceFor(long unixMs)
    {
        if (unixMs < 0)
        {
            return null;
        }

        var start = unixMs - (unixMs % SliceMs);
        ref var slot = ref _slots[Index(start)];
        while (true)
        {
            var slice = Volatile.Read(ref slot);
            if (slice is not null && slice.StartMs >= start)
            {
                return slice.StartMs == start ? slice : null;
            }

            var made = _create(start);
            if (Interlocked.CompareExchange(ref slot, made, slice) == slice)
            {
                return made;
            }
        }
    }

    /// <summary>The slices that overlap [now − window, now], newest first.</summary>
    public List<AttributionSlice> Overlapping(long nowMs, long windowMs)
    {
        var result = new List<AttributionSlice>(_slots.Length);
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is { } slice && slice.StartMs + SliceMs > nowMs - windowMs && slice.StartMs <= nowMs)
            {
                result.Add(slice);
            }
        }

        result.Sort((a, b) => b.StartMs.CompareTo(a.StartMs));
        return result;
    }

    /// <summary>What the ring holds on the heap; exemplar records already in <paramref name="counted"/> are not counted again.</summary>
    public int Bytes(HashSet<byte[]> counted)
    {
        var bytes = Heap.Object(8 + 8 + 8) + Heap.Array(_slots.Length, 8);
        foreach (var slice in _slots)
        {
            bytes += slice?.Bytes(counted) ?? 0;
        }

        return bytes;
    }

    private int Index(long start) => (int)((start / SliceMs) % _slots.Length);
}
