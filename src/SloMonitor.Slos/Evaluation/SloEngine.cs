using SloMonitor.Ingest;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Turns ingested telemetry into SLIs and evaluates them. Ingest calls <see cref="OnSpan"/> and
/// <see cref="OnMetricPoint"/> on its threads; <see cref="Apply"/> swaps in a new set of definitions at once,
/// keeping the data of every SLO whose SLI, grouping and window did not change.
/// </summary>
public sealed class SloEngine : ITelemetrySink
{
    private static readonly TimeSpan MinimumLongestWindow = TimeSpan.FromDays(31);
    private readonly TimeProvider _time;
    private readonly SloEngineOptions _options;
    private readonly Lock _applyLock = new();
    private volatile SloCatalogSnapshot _snapshot = SloCatalogSnapshot.Empty;

    public SloEngine(TimeProvider time, SloEngineOptions options)
    {
        _time = time;
        _options = options;
    }

    /// <summary>The longest window any SLO may read (at least 31 days); older events can be dropped at ingest.</summary>
    public TimeSpan LongestWindow => _snapshot.Longest > MinimumLongestWindow ? _snapshot.Longest : MinimumLongestWindow;

    public IReadOnlyList<SloDefinition> Definitions => Array.ConvertAll(_snapshot.Slos, s => s.Definition);

    public TimeProvider Time => _time;

    public SloDefinition? Find(string name) => _snapshot.ByName.TryGetValue(name, out var slo) ? slo.Definition : null;

    /// <summary>Replaces the running definitions (names must be unique).</summary>
    public void Apply(IReadOnlyList<SloDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        lock (_applyLock)
        {
            var previous = _snapshot;
            var compiled = new List<CompiledSlo>(definitions.Count);
            foreach (var definition in definitions)
            {
                var tracks = previous.ByName.TryGetValue(definition.Name, out var old) && old.Tracks.Fingerprint == CompiledSlo.Fingerprint(definition)
                    ? old.Tracks
                    : new TrackSet(definition, definition.MaxGroups ?? _options.MaxGroupsPerSlo, Retention(definition), _options.HistogramScale, _time);
                compiled.Add(new CompiledSlo(definition, tracks));
            }

            _snapshot = new SloCatalogSnapshot(compiled);
        }
    }

    public void OnSpan(in SpanEvent span)
    {
        if (_snapshot.SpanSlosByService.TryGetValue(span.ServiceName, out var slos))
        {
            for (var i = 0; i < slos.Length; i++)
            {
                SloRecorder.OnSpan(slos[i], span);
            }
        }
    }

    public void OnMetricPoint(in MetricPointEvent point)
    {
        if (_snapshot.RoutesByMetric.TryGetValue(point.MetricName, out var routes))
        {
            for (var i = 0; i < routes.Length; i++)
            {
                SloRecorder.OnMetricPoint(routes[i], point);
            }
        }
    }

    /// <summary>
    /// Evaluates every SLO now: one evaluation per SLO, then one per group of SLOs with <c>groupBy</c>. Latency
    /// quantiles are left out (null) unless <paramref name="withLatency"/>: the loop does not need them.
    /// </summary>
    public IReadOnlyList<SloEvaluation> EvaluateAll(bool withLatency = false)
    {
        var slos = _snapshot.Slos;
        var now = _time.GetUtcNow();
        var results = new IReadOnlyList<SloEvaluation>[slos.Length];
        if (slos.Length < 64)
        {
            for (var i = 0; i < slos.Length; i++)
            {
                results[i] = Evaluate(slos[i], now, withLatency);
            }
        }
        else
        {
            Parallel.For(0, slos.Length, i => results[i] = Evaluate(slos[i], now, withLatency));
        }

        var flat = new List<SloEvaluation>(slos.Length);
        foreach (var result in results)
        {
            flat.AddRange(result);
        }

        return flat;
    }

    /// <summary>Evaluates one SLO now, with latency quantiles: the overall evaluation first, then its groups; null when unknown.</summary>
    public IReadOnlyList<SloEvaluation>? Evaluate(string name, bool withLatency = true) =>
        _snapshot.ByName.TryGetValue(name, out var slo) ? Evaluate(slo, _time.GetUtcNow(), withLatency) : null;

    /// <summary>How the budget of the SLO window ending now was spent, in about <paramref name="points"/> points; null when unknown.</summary>
    public SloBurndown? Burndown(string name, int points = SloBurndown.DefaultPoints) =>
        _snapshot.ByName.TryGetValue(name, out var slo) ? SloBurndownReader.Read(slo, _time.GetUtcNow(), points) : null;

    /// <summary>The chart series of one SLO between two instants; null when unknown.</summary>
    public SloHistory? History(string name, DateTimeOffset from, DateTimeOffset to, TimeSpan step) =>
        _snapshot.ByName.TryGetValue(name, out var slo) ? SloHistoryReader.Read(slo, from, to, step, _time.GetUtcNow(), Retention(slo.Definition)) : null;

    /// <summary>
    /// The state of every SLO's series, one row per track (the overall one, then each group), keyed so that a
    /// restore applies it only to an SLO whose SLI, grouping and retention are unchanged.
    /// </summary>
    public IReadOnlyList<SloSeriesCheckpoint> Checkpoint()
    {
        var rows = new List<SloSeriesCheckpoint>();
        foreach (var slo in _snapshot.Slos)
        {
            foreach (var (key, track) in slo.Tracks.All())
            {
                rows.Add(new SloSeriesCheckpoint(slo.Definition.Name, slo.Tracks.CheckpointId + "/" + key, track.Checkpoint()));
            }
        }

        return rows;
    }

    /// <summary>
    /// Restores series saved by <see cref="Checkpoint"/> into the SLOs running now (call after the definitions are
    /// loaded, before traffic). Rows of unknown SLOs, of changed SLIs or damaged ones are skipped; returns how many
    /// tracks were restored.
    /// </summary>
    public int Restore(IEnumerable<SloSeriesCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        var restored = 0;
        var snapshot = _snapshot;
        foreach (var row in checkpoints)
        {
            var slash = row.SeriesKey.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || !snapshot.ByName.TryGetValue(row.Slo, out var slo) || row.SeriesKey[..slash] != slo.Tracks.CheckpointId)
            {
                continue;
            }

            if (slo.Tracks.ForRestore(row.SeriesKey[(slash + 1)..]) is not { } track)
            {
                continue;
            }

            try
            {
                track.Restore(row.State);
                restored++;
            }
            catch (FormatException)
            {
                // A damaged row loses that track's history only.
            }
        }

        return restored;
    }

    internal TimeSpan Retention(SloDefinition definition)
    {
        var longest = definition.Window.Longest > CompiledSlo.StandardWindows[^1] ? definition.Window.Longest : CompiledSlo.StandardWindows[^1];
        foreach (var rule in definition.Alerting.Rules)
        {
            longest = rule.LongWindow > longest ? rule.LongWindow : longest;
        }

        return longest + _options.HistoryRetention;
    }

    private static IReadOnlyList<SloEvaluation> Evaluate(CompiledSlo slo, DateTimeOffset now, bool withLatency)
    {
        var tracks = slo.Tracks;
        var problems = Problems(tracks);
        var overall = new SloEvaluation(slo.Definition, EmptyLabels, SloEvaluator.Evaluate(slo, tracks.Overall, now, problems, withLatency));
        if (tracks.GroupBy.Length == 0)
        {
            return [overall];
        }

        var results = new List<SloEvaluation> { overall };
        foreach (var group in tracks.Groups)
        {
            results.Add(new SloEvaluation(slo.Definition, group.Labels, SloEvaluator.Evaluate(slo, group.Track, now, [], withLatency)));
        }

        results.Sort(1, results.Count - 1, GroupOrder.Instance);
        return results;
    }

    private static IReadOnlyList<string> Problems(TrackSet tracks)
    {
        var dropped = tracks.DroppedGroupEvents;
        return dropped == 0
            ? []
            : [$"groupBy cardinality cap of {tracks.MaxGroups} groups reached: {dropped} events of further groups are counted only in the overall SLI (raise maxGroups or group by fewer attributes)"];
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    private sealed class GroupOrder : IComparer<SloEvaluation>
    {
        public static readonly GroupOrder Instance = new();

        public int Compare(SloEvaluation? x, SloEvaluation? y) =>
            string.CompareOrdinal(string.Join('\u001f', x!.GroupLabels.Values), string.Join('\u001f', y!.GroupLabels.Values));
    }
}
