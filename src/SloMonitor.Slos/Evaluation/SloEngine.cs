using System.Collections.Immutable;
using SloMonitor.Ingest;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Turns ingested telemetry into SLIs and evaluates them. Ingest calls <see cref="OnSpan"/> and
/// <see cref="OnMetricPoint"/> on its threads. <see cref="Set"/> and <see cref="Remove"/> change one SLO at a time
/// (keeping its data while its SLI, grouping and window do not change) and give it a status at once;
/// <see cref="EvaluateRound"/> evaluates every SLO and publishes the <see cref="Status"/> snapshot that every reader
/// shares.
/// </summary>
public sealed class SloEngine : ITelemetrySink
{
    private static readonly TimeSpan MinimumLongestWindow = TimeSpan.FromDays(31);
    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = ImmutableSortedDictionary<string, string>.Empty;
    private readonly TimeProvider _time;
    private readonly SloEngineOptions _options;
    private readonly SloIndex _index = new();
    private readonly GroupSeriesBudget _groupBudget;
    private readonly Lock _changeLock = new();
    private readonly Dictionary<string, (ExcludedRange[] Whole, SelectorRange[] Selective)> _excluded = new(StringComparer.Ordinal);
    private readonly Lock _roundLock = new();
    private readonly Lock _statusLock = new();
    private volatile SloStatusSnapshot _status = SloStatusSnapshot.Empty;
    private List<(string Name, EvaluatedSlo? Entry)>? _changesDuringRound;

    // Checkpoint rows of SLOs not defined yet at restore time (API SLOs while PostgreSQL is still away), by SLO.
    private readonly Dictionary<string, List<SloSeriesCheckpoint>> _laterRestores = new(StringComparer.Ordinal);

    public SloEngine(TimeProvider time, SloEngineOptions options, string tenant = Storage.Tenants.Default)
    {
        _time = time;
        _options = options;
        Tenant = tenant;
        _groupBudget = new GroupSeriesBudget(options.MaxGroupSeriesPerTenant);
    }

    /// <summary>The tenant whose SLOs these are: an engine holds one tenant's SLOs, series and status alone.</summary>
    public string Tenant { get; }

    /// <summary>The longest window any SLO may read (at least 31 days); older events can be dropped at ingest.</summary>
    public TimeSpan LongestWindow => _index.Longest > MinimumLongestWindow ? _index.Longest : MinimumLongestWindow;

    /// <summary>Every SLO running, ordered by name.</summary>
    public IReadOnlyList<SloDefinition> Definitions
    {
        get
        {
            var list = _index.ToList().ConvertAll(s => s.Definition);
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    public int Count => _index.Count;

    public TimeProvider Time => _time;

    /// <summary>The limits the engine's SLOs were compiled with (their series' retention and histogram scale follow from them).</summary>
    internal SloEngineOptions Options => _options;

    /// <summary>The compiled SLOs as the record path finds them, for a recorder that writes elsewhere (cluster deltas).</summary>
    internal SloIndex Index => _index;

    /// <summary>The last published state of every SLO. Reading it changes nothing.</summary>
    public SloStatusSnapshot Status => _status;

    public SloDefinition? Find(string name) => _index.TryGet(name, out var slo) ? slo.Definition : null;

    /// <summary>The SLO's burn attribution, exemplars and deploy markers; null for an unknown SLO or when they are off for it.</summary>
    internal Attribution.SloAttribution? AttributionOf(string name) => _index.TryGet(name, out var slo) ? slo.Tracks.Attribution : null;

    /// <summary>
    /// Replaces the budget adjustments of SLO <paramref name="name"/> (defined yet or not): every reading from the
    /// next evaluation on leaves out what the ranges hold.
    /// </summary>
    public void SetAdjustments(string name, IEnumerable<ExcludedRange> ranges)
    {
        var split = ExcludedRanges.Split(ranges);
        lock (_changeLock)
        {
            if (split.Whole.Length == 0 && split.Selective.Length == 0)
            {
                _excluded.Remove(name);
            }
            else
            {
                _excluded[name] = split;
            }

            if (_index.TryGet(name, out var slo))
            {
                (slo.Excluded, slo.SelectorExcluded) = split;
            }
        }
    }

    /// <summary>Called before each SLO's evaluation; tests make it throw to see one SLO fail beside healthy ones.</summary>
    internal Action<SloDefinition>? BeforeEvaluation { get; set; }

    /// <summary>Replaces the running definitions by <paramref name="definitions"/> (names must be unique).</summary>
    public void Apply(IReadOnlyList<SloDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        lock (_changeLock)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var definition in definitions)
            {
                names.Add(definition.Name);
            }

            foreach (var slo in _index.ToList())
            {
                if (!names.Contains(slo.Definition.Name))
                {
                    Remove(slo.Definition.Name);
                }
            }

            foreach (var definition in definitions)
            {
                Set(definition);
            }
        }
    }

    /// <summary>
    /// Creates or replaces one SLO and evaluates it now, so that it has a status before the next round. Its data is
    /// kept when its SLI, grouping and window are those of the SLO it replaces; returns false when its history
    /// restarts (a new SLO, or a changed SLI).
    /// </summary>
    public bool Set(SloDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        lock (_changeLock)
        {
            var kept = _index.TryGet(definition.Name, out var old) && old.Tracks.Fingerprint == CompiledSlo.Fingerprint(definition);
            var compiled = new CompiledSlo(definition, kept ? old.Tracks : null, _options, _time, FindCompiled);
            if (!kept)
            {
                GiveBackGroups(old);
                compiled.Tracks.Budget = _groupBudget;
            }

            (compiled.Excluded, compiled.SelectorExcluded) = _excluded.GetValueOrDefault(definition.Name, ([], []));
            if (!kept && _laterRestores.Remove(definition.Name, out var rows))
            {
                Restore(compiled, rows); // before it takes events, so nothing recorded is replaced
            }

            _index.Set(compiled);
            Publish(definition.Name, Evaluate(compiled, _time.GetUtcNow(), _status.Find(definition.Name)));
            return kept;
        }
    }

    /// <summary>Removes one SLO and its data; false when there was none.</summary>
    public bool Remove(string name)
    {
        lock (_changeLock)
        {
            if (_index.Remove(name) is not { } removed)
            {
                return false;
            }

            GiveBackGroups(removed);

            Publish(name, null);
            return true;
        }
    }

    public void OnSpan(in SpanEvent span)
    {
        if (_index.TrySpanSlos(span.ServiceName, out var slos))
        {
            for (var i = 0; i < slos.Length; i++)
            {
                SloRecorder.OnSpan(slos[i], span);
            }
        }
    }

    public void OnMetricPoint(in MetricPointEvent point)
    {
        if (_index.TryRoutes(point.MetricName, out var routes))
        {
            for (var i = 0; i < routes.Length; i++)
            {
                SloRecorder.OnMetricPoint(routes[i], point);
            }
        }
    }

    /// <summary>
    /// Evaluates every SLO now — one evaluation per SLO, then one per group — and publishes the result as
    /// <see cref="Status"/>. Returns the evaluations, overall ones first within each SLO. An SLO whose evaluation
    /// throws is published in state <c>error</c> with the message, keeping the alerts it had, and the round goes on.
    /// </summary>
    public IReadOnlyList<SloEvaluation> EvaluateRound()
    {
        lock (_roundLock)
        {
            lock (_statusLock)
            {
                _changesDuringRound = [];
            }

            var slos = _index.ToList();
            var now = _time.GetUtcNow();
            var previous = _status;
            var results = new EvaluatedSlo[slos.Count];
            if (slos.Count < 64)
            {
                for (var i = 0; i < slos.Count; i++)
                {
                    results[i] = Evaluate(slos[i], now, previous.Find(slos[i].Definition.Name));
                }
            }
            else
            {
                Parallel.For(0, slos.Count, i => results[i] = Evaluate(slos[i], now, previous.Find(slos[i].Definition.Name)));
            }

            var builder = ImmutableSortedDictionary.CreateBuilder<string, EvaluatedSlo>(StringComparer.Ordinal);
            var flat = new List<SloEvaluation>(results.Length);
            foreach (var result in results)
            {
                builder[result.Definition.Name] = result;
                flat.Add(result.Overall);
                flat.AddRange(result.Groups);
            }

            lock (_statusLock)
            {
                // Changes made while the round ran are newer than what the round saw of them.
                foreach (var (name, entry) in _changesDuringRound)
                {
                    if (entry is null)
                    {
                        builder.Remove(name);
                    }
                    else
                    {
                        builder[name] = entry;
                    }
                }

                _changesDuringRound = null;
                _status = new SloStatusSnapshot(builder.ToImmutable(), now, _status.Round + 1);
            }

            return flat;
        }
    }

    /// <summary>How the budget of the SLO window ending now was spent, in about <paramref name="points"/> points; null when unknown.</summary>
    public SloBurndown? Burndown(string name, int points = SloBurndown.DefaultPoints) =>
        _index.TryGet(name, out var slo) ? SloBurndownReader.Read(slo, _time.GetUtcNow(), points) : null;

    /// <summary>Every SLO (of <paramref name="service"/> and of <paramref name="team"/>, its <c>team</c> label, when given) over [from, to), by name.</summary>
    public IReadOnlyList<Reports.SloReportRow> Report(DateTimeOffset from, DateTimeOffset to, string? service = null, string? team = null)
    {
        var now = _time.GetUtcNow();
        var rows = new List<Reports.SloReportRow>();
        foreach (var slo in _index.ToList())
        {
            var definition = slo.Definition;
            if ((service is null || definition.Service == service) && (team is null || definition.Labels.GetValueOrDefault("team") == team))
            {
                rows.Add(Reports.SloReportReader.Read(slo, from, to, now));
            }
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Slo, b.Slo));
        return rows;
    }

    /// <summary>The latency values of the SLO's window ending now, as bins; null when the SLO is unknown or has no latency histogram.</summary>
    public LatencyBins? LatencyHistogram(string name, TimeSpan window, int maxBins = LatencyBins.DefaultMaxBins) =>
        _index.TryGet(name, out var slo) && slo.Tracks.Overall.LatencyHistogram(_time.GetUtcNow().ToUnixTimeMilliseconds(), window) is { } histogram
            ? LatencyBins.From(histogram, maxBins)
            : null;

    /// <summary>The chart series of one SLO between two instants; null when unknown.</summary>
    public SloHistory? History(string name, DateTimeOffset from, DateTimeOffset to, TimeSpan step) =>
        _index.TryGet(name, out var slo) ? SloHistoryReader.Read(slo, from, to, step, _time.GetUtcNow(), slo.Tracks.Retention) : null;

    /// <summary>
    /// The state of every SLO's series, one row per track (the overall one, then each group), keyed so that a
    /// restore applies it only to an SLO whose SLI, grouping and retention are unchanged.
    /// </summary>
    public IReadOnlyList<SloSeriesCheckpoint> Checkpoint()
    {
        var rows = new List<SloSeriesCheckpoint>();
        foreach (var slo in _index.ToList())
        {
            foreach (var (key, track) in slo.Tracks.All())
            {
                rows.Add(new SloSeriesCheckpoint(slo.Definition.Name, slo.Tracks.CheckpointId + "/" + key, track.Checkpoint(), Tenant));
            }
        }

        return rows;
    }

    /// <summary>An estimate of the memory every SLO's series hold, in bytes (reads every series' slots: not for the record path).</summary>
    public long EstimateBytes()
    {
        long bytes = 0;
        foreach (var slo in _index.ToList())
        {
            foreach (var (_, track) in slo.Tracks.All())
            {
                bytes += track.EstimateBytes();
            }
        }

        return bytes;
    }

    /// <summary>
    /// The state of the tracks that changed since the previous call (events recorded, slices judged, alert state),
    /// in the form of <see cref="Checkpoint"/>, for the local journal; clears their change marks.
    /// </summary>
    public IReadOnlyList<SloSeriesCheckpoint> CheckpointChanged()
    {
        var rows = new List<SloSeriesCheckpoint>();
        foreach (var slo in _index.ToList())
        {
            foreach (var (key, track) in slo.Tracks.All())
            {
                if (track.TakeChanged())
                {
                    rows.Add(new SloSeriesCheckpoint(slo.Definition.Name, slo.Tracks.CheckpointId + "/" + key, track.Checkpoint(), Tenant));
                }
            }
        }

        return rows;
    }

    /// <summary>
    /// Restores series saved by <see cref="Checkpoint"/> into the SLOs running now (call after the definitions are
    /// loaded, before traffic). Rows of SLOs not defined yet are kept and restored when the SLO is created (before it
    /// takes events): API-defined SLOs load only once PostgreSQL answers. Rows of changed SLIs or damaged ones are
    /// skipped; returns how many tracks were restored now.
    /// </summary>
    public int Restore(IEnumerable<SloSeriesCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (_changeLock)
        {
            var bySlo = new Dictionary<string, List<SloSeriesCheckpoint>>(StringComparer.Ordinal);
            foreach (var row in checkpoints)
            {
                if (!bySlo.TryGetValue(row.Slo, out var rows))
                {
                    bySlo[row.Slo] = rows = [];
                }

                rows.Add(row);
            }

            var restored = 0;
            foreach (var (name, rows) in bySlo)
            {
                if (_index.TryGet(name, out var slo))
                {
                    restored += Restore(slo, rows);
                }
                else
                {
                    _laterRestores[name] = rows;
                }
            }

            return restored;
        }
    }

    /// <summary>
    /// Adds checkpoint rows that came back late (PostgreSQL answered only after start-up) into the SLOs running now,
    /// which keep recording: the saved events are added slice by slice to what was recorded since (see
    /// <see cref="SliTrack.Merge"/>). Rows of SLOs not defined yet are kept for when they are created, beside any row
    /// of the same series kept before (the first is restored, the others added to it). Returns how many tracks took a row now.
    /// </summary>
    public int Merge(IEnumerable<SloSeriesCheckpoint> checkpoints)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        lock (_changeLock)
        {
            var merged = 0;
            foreach (var row in checkpoints)
            {
                if (!_index.TryGet(row.Slo, out var slo))
                {
                    if (!_laterRestores.TryGetValue(row.Slo, out var kept))
                    {
                        _laterRestores[row.Slo] = kept = [];
                    }

                    kept.Add(row); // added to the one kept before it, if any, when the SLO is created
                    continue;
                }

                var slash = row.SeriesKey.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0 || row.SeriesKey[..slash] != slo.Tracks.CheckpointId || slo.Tracks.ForRestore(row.SeriesKey[(slash + 1)..]) is not { } track)
                {
                    continue;
                }

                try
                {
                    track.Merge(row.State);
                    merged++;
                }
                catch (FormatException)
                {
                    // A damaged row loses that track's history only.
                }
            }

            return merged;
        }
    }

    /// <summary>The rows kept for SLOs not created yet, so that a full journal rewrite does not lose them.</summary>
    public IReadOnlyList<SloSeriesCheckpoint> LaterRestores()
    {
        lock (_changeLock)
        {
            return [.. _laterRestores.Values.SelectMany(rows => rows)];
        }
    }

    /// <summary>Forgets the rows kept for SLOs that were never created (once every source of definitions has loaded).</summary>
    public int DropLaterRestores()
    {
        lock (_changeLock)
        {
            var count = _laterRestores.Count;
            _laterRestores.Clear();
            return count;
        }
    }

    private static int Restore(CompiledSlo slo, List<SloSeriesCheckpoint> rows)
    {
        var restored = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var slash = row.SeriesKey.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0 || row.SeriesKey[..slash] != slo.Tracks.CheckpointId || slo.Tracks.ForRestore(row.SeriesKey[(slash + 1)..]) is not { } track)
            {
                continue;
            }

            try
            {
                if (seen.Add(row.SeriesKey))
                {
                    track.Restore(row.State);
                }
                else
                {
                    track.Merge(row.State); // a second row of the series: one that came back from the database later
                }

                restored++;
            }
            catch (FormatException)
            {
                // A damaged row loses that track's history only.
            }
        }

        return restored;
    }

    private void Publish(string name, EvaluatedSlo? entry)
    {
        lock (_statusLock)
        {
            var slos = entry is null ? _status.Slos.Remove(name) : _status.Slos.SetItem(name, entry);
            _status = new SloStatusSnapshot(slos, _status.RoundAt, _status.Round);
            _changesDuringRound?.Add((name, entry));
        }
    }

    private EvaluatedSlo Evaluate(CompiledSlo slo, DateTimeOffset now, EvaluatedSlo? previous)
    {
        try
        {
            BeforeEvaluation?.Invoke(slo.Definition);
            return EvaluateTracks(slo, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var alerts = previous?.Overall.Status.Alerts ?? [];
            var status = new SloStatus(SloStatus.Error, ImmutableSortedDictionary<string, WindowStatus>.Empty, ErrorBudgetStatus.Unknown, alerts, now)
            {
                Problems = [$"evaluation failed: {e.GetType().Name}: {e.Message}"],
            };
            return new EvaluatedSlo(slo, new SloEvaluation(slo.Definition, EmptyLabels, status), [], []);
        }
    }

    private static EvaluatedSlo EvaluateTracks(CompiledSlo slo, DateTimeOffset now)
    {
        var tracks = slo.Tracks;
        var overall = new SloEvaluation(slo.Definition, EmptyLabels, SloEvaluator.Evaluate(slo, tracks.Overall, now, Problems(tracks)));
        if (tracks.GroupBy.Length == 0)
        {
            return new EvaluatedSlo(slo, overall, [], [tracks.Overall]);
        }

        var groups = new List<(SloEvaluation Evaluation, SliTrack Track)>();
        foreach (var group in tracks.Groups)
        {
            groups.Add((new SloEvaluation(slo.Definition, group.Labels, SloEvaluator.Evaluate(slo, group.Track, now, [])), group.Track));
        }

        groups.Sort((x, y) => string.CompareOrdinal(GroupKey(x.Evaluation), GroupKey(y.Evaluation)));
        var trackList = new SliTrack[groups.Count + 1];
        trackList[0] = tracks.Overall;
        for (var i = 0; i < groups.Count; i++)
        {
            trackList[i + 1] = groups[i].Track;
        }

        return new EvaluatedSlo(slo, overall, groups.ConvertAll(g => g.Evaluation), trackList);
    }

    private static string GroupKey(SloEvaluation evaluation) => string.Join('\u001f', evaluation.GroupLabels.Values);

    /// <summary>The groups of an SLO whose series go away return their room to the tenant's budget.</summary>
    private void GiveBackGroups(CompiledSlo? slo)
    {
        if (slo?.Tracks is { Budget: { } budget } tracks && ReferenceEquals(budget, _groupBudget))
        {
            tracks.Budget = null;
            budget.Give(tracks.Groups.Count);
        }
    }

    private static IReadOnlyList<string> Problems(TrackSet tracks)
    {
        var dropped = tracks.DroppedGroupEvents;
        var refused = tracks.DroppedTenantEvents;
        IReadOnlyList<string> problems = dropped == 0
            ? []
            : [$"groupBy cardinality cap of {tracks.MaxGroups} groups reached: {dropped} events of further groups are counted only in the overall SLI (raise maxGroups or group by fewer attributes)"];
        if (refused > 0)
        {
            problems = [.. problems, $"the tenant's cap of {tracks.Budget?.Max} group series (Slos:MaxGroupSeriesPerTenant) is reached: {refused} events of further groups are counted only in the overall SLI"];
        }

        return tracks.Overall.Composite is { } composite ? [.. problems, .. composite.Problems()] : problems;
    }

    /// <summary>A running SLO by name, for composites reading their parts.</summary>
    private CompiledSlo? FindCompiled(string name) => _index.TryGet(name, out var slo) ? slo : null;
}
