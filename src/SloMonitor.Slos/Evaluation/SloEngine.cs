using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// Turns ingested telemetry into SLIs and evaluates them. Ingest calls <see cref="OnSpan"/> and
/// <see cref="OnMetricPoint"/> on its threads. <see cref="Set"/> and <see cref="Remove"/> change one SLO at a time
/// (keeping its data while its SLI, grouping and window do not change) and give it a status at once;
/// <see cref="EvaluateRound"/> evaluates every SLO and publishes the <see cref="Status"/> snapshot that every reader
/// shares.
/// </summary>
public sealed partial class SloEngine : ITelemetrySink
{
    private static readonly TimeSpan MinimumLongestWindow = TimeSpan.FromDays(31);
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
    private SloOrder? _roundOrder;

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
            Publish(definition.Name, Evaluate(compiled, _time.GetUtcNow(), _status));
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
            ForgetOwned(name);
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

    /// <summary>The groups of an SLO whose series go away return their room to the tenant's budget.</summary>
    private void GiveBackGroups(CompiledSlo? slo)
    {
        if (slo?.Tracks is { Budget: { } budget } tracks && ReferenceEquals(budget, _groupBudget))
        {
            tracks.Budget = null;
            budget.Give(tracks.Groups.Count);
        }
    }

    /// <summary>A running SLO by name, for composites reading their parts.</summary>
    private CompiledSlo? FindCompiled(string name) => _index.TryGet(name, out var slo) ? slo : null;
}
