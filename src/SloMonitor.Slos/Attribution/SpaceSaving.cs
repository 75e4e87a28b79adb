namespace SloMonitor.Slos.Attribution;

/// <summary>
/// Space-Saving summary (Metwally, Agrawal, El Abbadi 2005) of the values of one key among bad events, with the
/// traffic of each tracked value beside it. At most capacity values, each with its bad count, the overcount it may
/// carry (<c>Error</c>: a value with more than bad/capacity events is always tracked, its true count lies in
/// [count − error, count], and counts are exact while fewer than capacity distinct values were seen) and its events
/// (good and bad): the slice's sketch estimate when it started being tracked, then counted. Bad events change the summary under the slice's lock; good
/// events only add to <c>Total</c> of a tracked value, lock-free.
/// </summary>
internal sealed class SpaceSaving
{
    private readonly int _capacity;
    private Entry[] _entries;
    private int _used;

    /// <summary>Starts with room for two values and grows to <paramref name="capacity"/>: most keys have few values.</summary>
    public SpaceSaving(int capacity)
    {
        _capacity = capacity;
        _entries = new Entry[Math.Min(2, capacity)];
    }

    public int Count => Volatile.Read(ref _used);

    public bool IsFull => _used == _capacity;

    public ref readonly Entry this[int index] => ref _entries[index];

    /// <summary>The smallest bad count: an untracked value has at most this many bad events (0 while not full).</summary>
    public long MinCount
    {
        get
        {
            if (!IsFull)
            {
                return 0;
            }

            var min = long.MaxValue;
            for (var i = 0; i < _used; i++)
            {
                min = Math.Min(min, _entries[i].Bad);
            }

            return min;
        }
    }

    /// <summary>The tracked value with this hash, if any (used to share strings between slices).</summary>
    public string? Find(ulong hash)
    {
        for (var i = 0; i < _used; i++)
        {
            if (_entries[i].Hash == hash)
            {
                return _entries[i].Value;
            }
        }

        return null;
    }

    /// <summary>Counts bad events of a tracked value; false when the value is not tracked (then call <see cref="Insert"/>).</summary>
    public bool TryAddBad(ulong hash, long count, bool withTotal)
    {
        for (var i = 0; i < _used; i++)
        {
            ref var entry = ref _entries[i];
            if (entry.Hash == hash)
            {
                entry.Bad += count;
                if (withTotal)
                {
                    Interlocked.Add(ref entry.Total, count);
                }

                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Starts tracking a value: in a free place, or in place of the smallest count, which it inherits as error;
    /// <paramref name="trafficBefore"/> is its traffic so far (an estimate).
    /// </summary>
    public void Insert(ulong hash, string value, long count, bool withTotal, long trafficBefore)
    {
        var index = _used;
        long inherited = 0;
        if (index == _entries.Length && index < _capacity)
        {
            // Good events may still add to the old array meanwhile: those few are lost, which traffic estimates allow.
            var grown = new Entry[Math.Min(_capacity, index * 2)];
            Array.Copy(_entries, grown, index);
            Volatile.Write(ref _entries, grown);
        }

        if (index == _entries.Length)
        {
            index = 0;
            for (var i = 1; i < _entries.Length; i++)
            {
                if (_entries[i].Bad < _entries[index].Bad)
                {
                    index = i;
                }
            }

            inherited = _entries[index].Bad;
        }

        ref var entry = ref _entries[index];
        entry.Value = value;
        entry.Bad = inherited + count;
        entry.Error = inherited;
        Volatile.Write(ref entry.Total, trafficBefore + (withTotal ? count : 0));
        Volatile.Write(ref entry.Hash, hash);
        if (index == _used)
        {
            Volatile.Write(ref _used, _used + 1);
        }
    }

    /// <summary>Counts good events for a tracked value (lock-free); untracked values are not counted.</summary>
    public void AddGood(ulong hash, long weight)
    {
        var used = Volatile.Read(ref _used);
        var entries = Volatile.Read(ref _entries);
        for (var i = 0; i < used && i < entries.Length; i++)
        {
            if (Volatile.Read(ref entries[i].Hash) == hash)
            {
                Interlocked.Add(ref entries[i].Total, weight);
                return;
            }
        }
    }

    public int Bytes => 40 + 24 + (_entries.Length * 40);

    internal struct Entry
    {
        public ulong Hash;
        public string Value;
        public long Bad;
        public long Error;
        public long Total;
    }
}
