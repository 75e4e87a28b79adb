namespace SloMonitor.Slos.Attribution;

/// <summary>
/// Space-Saving summary (Metwally, Agrawal, El Abbadi 2005) of the values of one key among bad events, with the
/// traffic of each tracked value beside it. At most capacity values, each with its bad count, the overcount it may
/// carry (<c>Error</c>: a value with more than bad/capacity events is always tracked, its true count lies in
/// [count − error, count], and counts are exact while fewer than capacity distinct values were seen) and the events
/// (good and bad) counted for it since it was tracked. Bad events change the summary under the slice's lock; good
/// events only add to <c>Total</c> of a tracked value, lock-free.
/// </summary>
internal sealed class SpaceSaving
{
    private readonly Entry[] _entries;
    private int _used;

    public SpaceSaving(int capacity) => _entries = new Entry[capacity];

    public int Count => Volatile.Read(ref _used);

    public bool IsFull => _used == _entries.Length;

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

    /// <summary>Starts tracking a value: in a free place, or in place of the smallest count, which it inherits as error.</summary>
    public void Insert(ulong hash, string value, long count, bool withTotal)
    {
        var index = _used;
        long inherited = 0;
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
        Volatile.Write(ref entry.Total, withTotal ? count : 0);
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
        for (var i = 0; i < used; i++)
        {
            if (Volatile.Read(ref _entries[i].Hash) == hash)
            {
                Interlocked.Add(ref _entries[i].Total, weight);
                return;
            }
        }
    }

    public static int BytesFor(int capacity) => 24 + 16 + 24 + (capacity * 40);

    internal struct Entry
    {
        public ulong Hash;
        public string Value;
        public long Bad;
        public long Error;
        public long Total;
    }
}
