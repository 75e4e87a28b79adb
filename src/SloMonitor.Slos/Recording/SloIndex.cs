using System.Collections.Concurrent;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Recording;

/// <summary>A metric-point route: which SLO wants points of a metric, in which role, filtered by which matchers.</summary>
internal enum MetricRole
{
    Good,
    Bad,
    Total,
    Latency,
    Gauge,
}

internal sealed record MetricRoute(CompiledSlo Slo, MetricRole Role, Selectors.LabelMatcher[] Matchers)
{
    /// <summary>
    /// The <c>service.name</c> a point must come from: the SLO's service, unless the selector matches on
    /// <c>service.name</c> itself (a platform metric reported by several services, say).
    /// </summary>
    public string? Service { get; } = Array.Exists(Matchers, m => m.Name == "service.name") ? null : Slo.Definition.Service;
}

/// <summary>
/// The compiled SLOs the engine routes events to, indexed for the record path: span SLOs by service name, metric
/// SLOs by metric name. Adding or removing one SLO replaces only the arrays of its service or metrics
/// (copy-on-write), so a change costs the same with 10 or 100,000 SLOs. Readers (the record path, the evaluation
/// round) take no lock and see each key's array either before or after a change; changes are serialized by the
/// engine.
/// </summary>
internal sealed class SloIndex
{
    private readonly ConcurrentDictionary<string, CompiledSlo> _byName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CompiledSlo[]> _spanSlosByService = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MetricRoute[]> _routesByMetric = new(StringComparer.Ordinal);
    private readonly SortedDictionary<TimeSpan, int> _windowLengths = [];
    private long _longestTicks;
    private long _version;

    public int Count => _byName.Count;

    /// <summary>
    /// Goes up after every <see cref="Set"/> and <see cref="Remove"/> has changed the SLOs: a list taken after reading
    /// a version holds every change up to that version.
    /// </summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>The longest window of any SLO (its data, not its alerting rules).</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Volatile.Read(ref _longestTicks));

    public bool TryGet(string name, out CompiledSlo slo) => _byName.TryGetValue(name, out slo!);

    public bool TrySpanSlos(string service, out CompiledSlo[] slos) => _spanSlosByService.TryGetValue(service, out slos!);

    public bool TryRoutes(string metric, out MetricRoute[] routes) => _routesByMetric.TryGetValue(metric, out routes!);

    /// <summary>Every SLO now, in no particular order (a moment's view; changes meanwhile may or may not show).</summary>
    public List<CompiledSlo> ToList()
    {
        var list = new List<CompiledSlo>(_byName.Count);
        foreach (var (_, slo) in _byName)
        {
            list.Add(slo);
        }

        return list;
    }

    /// <summary>Puts <paramref name="slo"/> in place of any SLO of its name. Called under the engine's change lock.</summary>
    public void Set(CompiledSlo slo)
    {
        if (_byName.TryGetValue(slo.Definition.Name, out var old))
        {
            Unroute(old);
        }

        _byName[slo.Definition.Name] = slo;
        Route(slo);
        Interlocked.Increment(ref _version);
    }

    /// <summary>Takes the SLO out; returns it, or null when there was none. Called under the engine's change lock.</summary>
    public CompiledSlo? Remove(string name)
    {
        if (!_byName.TryRemove(name, out var old))
        {
            return null;
        }

        Unroute(old);
        Interlocked.Increment(ref _version);
        return old;
    }

    private void Route(CompiledSlo slo)
    {
        var definition = slo.Definition;
        CountWindow(definition.LongestWindow, +1);
        if (definition.Sli.Source == SliSource.Spans)
        {
            _spanSlosByService[definition.Service] = _spanSlosByService.TryGetValue(definition.Service, out var slos) ? [.. slos, slo] : [slo];
            return;
        }

        foreach (var (metric, route) in MetricRoutes(slo))
        {
            _routesByMetric[metric] = _routesByMetric.TryGetValue(metric, out var routes) ? [.. routes, route] : [route];
        }
    }

    private void Unroute(CompiledSlo slo)
    {
        var definition = slo.Definition;
        CountWindow(definition.LongestWindow, -1);
        if (definition.Sli.Source == SliSource.Spans)
        {
            Shrink(_spanSlosByService, definition.Service, s => ReferenceEquals(s, slo));
            return;
        }

        foreach (var (metric, _) in MetricRoutes(slo))
        {
            Shrink(_routesByMetric, metric, r => ReferenceEquals(r.Slo, slo));
        }
    }

    private static void Shrink<T>(ConcurrentDictionary<string, T[]> index, string key, Predicate<T> remove)
    {
        if (!index.TryGetValue(key, out var items))
        {
            return;
        }

        var kept = Array.FindAll(items, item => !remove(item));
        if (kept.Length == 0)
        {
            index.TryRemove(key, out _);
        }
        else
        {
            index[key] = kept;
        }
    }

    private static IEnumerable<(string Metric, MetricRoute Route)> MetricRoutes(CompiledSlo slo)
    {
        (Selectors.Selector? Selector, MetricRole Role)[] roles =
        [
            (slo.Good, MetricRole.Good),
            (slo.MetricBad, MetricRole.Bad),
            (slo.Total, MetricRole.Total),
            (slo.Metric, slo.Definition.Sli.Kind == SliKind.Gauge ? MetricRole.Gauge : MetricRole.Latency),
        ];
        foreach (var (selector, role) in roles)
        {
            if (selector?.MetricName is { } metric)
            {
                yield return (metric, new MetricRoute(slo, role, selector.Matchers));
            }
        }
    }

    private void CountWindow(TimeSpan window, int change)
    {
        _windowLengths.TryGetValue(window, out var count);
        count += change;
        if (count <= 0)
        {
            _windowLengths.Remove(window);
        }
        else
        {
            _windowLengths[window] = count;
        }

        Volatile.Write(ref _longestTicks, _windowLengths.Count == 0 ? 0 : _windowLengths.Keys.Last().Ticks);
    }
}
