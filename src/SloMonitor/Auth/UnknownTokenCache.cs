using System.Collections.Concurrent;

namespace SloMonitor.Auth;

/// <summary>
/// Remembers, for <c>Auth:UnknownTokenCacheTime</c>, the hashes of well-formed tokens PostgreSQL did not know, so that
/// a client repeating one (a revoked token left in a Collector's config, a script in a loop) costs no lookup each
/// time. At most <c>Auth:UnknownTokenCacheSize</c> entries; once full, expired entries are swept (at most once a
/// second) and a new miss is not remembered until there is room. Every entry is forgotten when a token is created
/// through this instance (<see cref="TokenStore.Generation"/> moves).
/// </summary>
internal sealed class UnknownTokenCache(int capacity, TimeSpan time, TimeProvider clock)
{
    private readonly ConcurrentDictionary<TokenHash, Entry> _entries = new();
    private int _count;
    private long _lastSweepTicks;

    public int Count => Volatile.Read(ref _count);

    public bool Contains(TokenHash hash, long generation) =>
        _entries.TryGetValue(hash, out var entry) && entry.Generation == generation && entry.UntilTicks > clock.GetUtcNow().UtcTicks;

    public void Add(TokenHash hash, long generation)
    {
        if (capacity == 0)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcTicks;
        if (Count >= capacity && !Sweep(now, generation))
        {
            return;
        }

        var entry = new Entry(now + time.Ticks, generation);
        if (_entries.TryAdd(hash, entry))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _entries[hash] = entry;
        }
    }

    /// <summary>Drops expired and outdated entries; true when there is room afterwards.</summary>
    private bool Sweep(long now, long generation)
    {
        var last = Interlocked.Read(ref _lastSweepTicks);
        if (now - last < TimeSpan.TicksPerSecond || Interlocked.CompareExchange(ref _lastSweepTicks, now, last) != last)
        {
            return Count < capacity;
        }

        foreach (var (hash, entry) in _entries)
        {
            if ((entry.UntilTicks <= now || entry.Generation != generation) && _entries.TryRemove(hash, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }

        return Count < capacity;
    }

    private readonly record struct Entry(long UntilTicks, long Generation);
}
