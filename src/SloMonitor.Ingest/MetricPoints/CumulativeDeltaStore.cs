using System.Collections.Concurrent;

namespace SloMonitor.Ingest;

/// <summary>
/// The last point of every cumulative series (resource + scope + metric name + point attributes), so cumulative
/// values can be turned into deltas. Bounded by <see cref="IngestOptions.MaxCumulativeSeries"/>: when full, series
/// idle for longer than <see cref="IngestOptions.CumulativeSeriesIdleTimeout"/> are forgotten (at most one sweep a
/// second); if none are, points of new series are rejected. What is known of an evicted series is kept in
/// <see cref="EvictedSeries"/>, so that one coming back starts from a baseline instead of counting its whole life again.
/// </summary>
internal sealed class CumulativeDeltaStore
{
    private readonly ConcurrentDictionary<string, SeriesState> _series;
    private readonly ConcurrentDictionary<string, SeriesState>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly EvictedSeries _evicted;
    private long _nextSweepUnixNano;

    public CumulativeDeltaStore(IngestOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _series = new ConcurrentDictionary<string, SeriesState>(StringComparer.Ordinal);
        _bySpan = _series.GetAlternateLookup<ReadOnlySpan<char>>();
        _evicted = new EvictedSeries(options.MaxEvictedCumulativeSeries);
        StartedUnixNano = EventClock.ToUnixNano(time.GetUtcNow());
    }

    /// <summary>When this instance started: series that started later count their first point in full.</summary>
    public long StartedUnixNano { get; }

    public int Count => _series.Count;

    /// <summary>Evicted series still remembered.</summary>
    public int EvictedCount => _evicted.Count;

    /// <summary>The state of the series, created when new (with what is known of it if it was evicted); null when the store is full.</summary>
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

        var hash = EvictedSeries.Hash(key);
        var created = new SeriesState { LastSeenUnixNano = EventClock.ToUnixNano(_time.GetUtcNow()) };
        var recalled = _evicted.TryRecall(hash, created);
        state = _series.GetOrAdd(new string(key), created);
        if (ReferenceEquals(state, created))
        {
            IngestMetrics.CumulativeSeries.Inc();
            if (recalled)
            {
                _evicted.Forget(hash);
            }
        }

        return state;
    }

    /// <summary>
    /// Whether a new series with this start time began while everything evicted since was still remembered (after
    /// this instance started, and after the eviction of every series forgotten since): only then can its first point
    /// count in full without counting again what an evicted series counted.
    /// </summary>
    public bool CountsFromStart(ulong startTimeUnixNano) =>
        startTimeUnixNano != 0 && startTimeUnixNano >= (ulong)Math.Max(0, Math.Max(StartedUnixNano, _evicted.ForgottenUntilUnixNano));

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
        foreach (var entry in _series)
        {
            var state = entry.Value;
            if (Volatile.Read(ref state.LastSeenUnixNano) >= idleBefore)
            {
                continue;
            }

            // Remembered before it is removed, so a point of the series arriving meanwhile finds one or the other.
            lock (state)
            {
                if (state.HasValue)
                {
                    _evicted.Remember(EvictedSeries.Hash(entry.Key), state.StartTime, state.LastTime, now);
                }
                else if (state.Returned)
                {
                    _evicted.Remember(EvictedSeries.Hash(entry.Key), state.EvictedStartTime, state.EvictedLastTime, now);
                }
            }

            if (_series.TryRemove(entry))
            {
                IngestMetrics.EvictedSeries.Inc();
                IngestMetrics.CumulativeSeries.Dec();
                removed = true;
            }
        }

        return removed;
    }
}
