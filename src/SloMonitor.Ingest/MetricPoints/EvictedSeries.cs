namespace SloMonitor.Ingest;

/// <summary>
/// What is remembered of cumulative series evicted from the delta table, so that one coming back is not counted
/// again in full: a 64-bit hash of its identity, its start time and the time of its last point (32 bytes an entry
/// plus the table's own overhead, about 70 bytes in all). At most <see cref="IngestOptions.MaxEvictedCumulativeSeries"/>
/// entries, oldest eviction forgotten first. Forgetting one raises <see cref="ForgottenUntilUnixNano"/> to its
/// eviction time: a new series that started before that moment may be a forgotten one, so it starts from a baseline.
/// </summary>
internal sealed class EvictedSeries(int capacity)
{
    private readonly Dictionary<ulong, Entry> _entries = [];
    private readonly Queue<(ulong Hash, long Sequence)> _order = new();
    private long _sequence;
    private long _forgottenUntil;

    /// <summary>Every series evicted before this moment (Unix ns, server clock) that is no longer remembered.</summary>
    public long ForgottenUntilUnixNano => Volatile.Read(ref _forgottenUntil);

    public int Count
    {
        get
        {
            lock (_entries)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>Remembers an evicted series; forgets the oldest evictions beyond the capacity.</summary>
    public void Remember(ulong hash, ulong startTime, ulong lastTime, long evictedUnixNano)
    {
        lock (_entries)
        {
            var sequence = ++_sequence;
            _entries[hash] = new Entry(startTime, lastTime, evictedUnixNano, sequence);
            _order.Enqueue((hash, sequence));
            while (_entries.Count > capacity)
            {
                var (oldest, oldestSequence) = _order.Dequeue();
                if (_entries.TryGetValue(oldest, out var entry) && entry.Sequence == oldestSequence)
                {
                    _entries.Remove(oldest);
                    Volatile.Write(ref _forgottenUntil, Math.Max(_forgottenUntil, entry.EvictedUnixNano));
                }
            }

            if (_order.Count > (2 * _entries.Count) + 64)
            {
                DropStaleOrder();
            }

            IngestMetrics.EvictedRemembered.Set(_entries.Count);
        }
    }

    /// <summary>Copies what is remembered of the series into <paramref name="state"/>; false when nothing is.</summary>
    public bool TryRecall(ulong hash, SeriesState state)
    {
        lock (_entries)
        {
            if (!_entries.TryGetValue(hash, out var entry))
            {
                return false;
            }

            state.Returned = true;
            state.EvictedStartTime = entry.StartTime;
            state.EvictedLastTime = entry.LastTime;
            return true;
        }
    }

    /// <summary>The series is in the delta table again: its entry is no longer needed.</summary>
    public void Forget(ulong hash)
    {
        lock (_entries)
        {
            _entries.Remove(hash);
            IngestMetrics.EvictedRemembered.Set(_entries.Count);
        }
    }

    // Entries of series that came back (or were evicted again) stay in the queue until here: keep the live ones in order.
    private void DropStaleOrder()
    {
        var count = _order.Count;
        for (var i = 0; i < count; i++)
        {
            var item = _order.Dequeue();
            if (_entries.TryGetValue(item.Hash, out var entry) && entry.Sequence == item.Sequence)
            {
                _order.Enqueue(item);
            }
        }
    }

    /// <summary>FNV-1a over the UTF-16 code units, then a 64-bit finalizer (splitmix64) to spread the bits.</summary>
    public static ulong Hash(ReadOnlySpan<char> key)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9UL;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111ebUL;
        return hash ^ (hash >> 31);
    }

    private readonly record struct Entry(ulong StartTime, ulong LastTime, long EvictedUnixNano, long Sequence);
}
