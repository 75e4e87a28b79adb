using System.Collections.Concurrent;

namespace SloMonitor.Ingest;

/// <summary>
/// The last point of every cumulative series (resource + scope + metric name + point attributes), so cumulative
/// values can be turned into deltas. Bounded by <see cref="IngestOptions.MaxCumulativeSeries"/>: when full, series
/// idle for longer than <see cref="IngestOptions.CumulativeSeriesIdleTimeout"/> are forgotten (at most one sweep a
/// second); if none are, points of new series are rejected.
/// </summary>
internal sealed class CumulativeDeltaStore
{
    private readonly ConcurrentDictionary<string, SeriesState> _series;
    private readonly ConcurrentDictionary<string, SeriesState>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private long _nextSweepUnixNano;

    public CumulativeDeltaStore(IngestOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _series = new ConcurrentDictionary<string, SeriesState>(StringComparer.Ordinal);
        _bySpan = _series.GetAlternateLookup<ReadOnlySpan<char>>();
        StartedUnixNano = EventClock.ToUnixNano(time.GetUtcNow());
    }

    /// <summary>When this instance started: series that started later count their first point in full.</summary>
    public long StartedUnixNano { get; }

    public int Count => _series.Count;

    /// <summary>The state of the series, created when new; null when the store is full.</summary>
    public SeriesState? Acquire(ReadOnlySpan<char> key)
    {
        if (_bySpan.TryGetValue(key, out var state))
        {
            return state;
        }

        if (_series.Count >= _options.MaxCumulativeSeries && !SweepIdle())
        {
            return null;
        }

        return _series.GetOrAdd(new string(key), static _ => new SeriesState());
    }

    public bool CountsFromStart(ulong startTimeUnixNano) =>
        startTimeUnixNano != 0 && startTimeUnixNano >= (ulong)Math.Max(0, StartedUnixNano);

    private bool SweepIdle()
    {
        var now = EventClock.ToUnixNano(_time.GetUtcNow());
        var next = Interlocked.Read(ref _nextSweepUnixNano);
        if (now < next || Interlocked.CompareExchange(ref _nextSweepUnixNano, now + 1_000_000_000, next) != next)
        {
            return false;
        }

        var idleBefore = now - _options.CumulativeSeriesIdleTimeout.Ticks * 100;
        var removed = false;
        foreach (var (key, state) in _series)
        {
            if (Volatile.Read(ref state.LastSeenUnixNano) < idleBefore && _series.TryRemove(key, out _))
            {
                removed = true;
            }
        }

        return removed;
    }
}
