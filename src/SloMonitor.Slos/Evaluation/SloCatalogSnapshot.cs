using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Evaluation;

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
/// The immutable set of compiled SLOs the engine routes events to, indexed for the record path: span SLOs by
/// service name, metric SLOs by metric name. Replaced as a whole when definitions change.
/// </summary>
internal sealed class SloCatalogSnapshot
{
    public static readonly SloCatalogSnapshot Empty = new([]);

    public SloCatalogSnapshot(IReadOnlyList<CompiledSlo> slos)
    {
        Slos = [.. slos];
        var byName = new Dictionary<string, CompiledSlo>(StringComparer.Ordinal);
        var byService = new Dictionary<string, List<CompiledSlo>>(StringComparer.Ordinal);
        var byMetric = new Dictionary<string, List<MetricRoute>>(StringComparer.Ordinal);
        foreach (var slo in slos)
        {
            byName[slo.Definition.Name] = slo;
            if (slo.Definition.Sli.Source == SliSource.Spans)
            {
                if (!byService.TryGetValue(slo.Definition.Service, out var list))
                {
                    byService[slo.Definition.Service] = list = [];
                }

                list.Add(slo);
                continue;
            }

            void Route(Selectors.Selector? selector, MetricRole role)
            {
                if (selector?.MetricName is { } metric)
                {
                    if (!byMetric.TryGetValue(metric, out var routes))
                    {
                        byMetric[metric] = routes = [];
                    }

                    routes.Add(new MetricRoute(slo, role, selector.Matchers));
                }
            }

            Route(slo.Good, MetricRole.Good);
            Route(slo.MetricBad, MetricRole.Bad);
            Route(slo.Total, MetricRole.Total);
            Route(slo.Metric, slo.Definition.Sli.Kind == SliKind.Gauge ? MetricRole.Gauge : MetricRole.Latency);
        }

        ByName = byName;
        SpanSlosByService = byService.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        RoutesByMetric = byMetric.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
        Longest = slos.Count == 0 ? TimeSpan.Zero : slos.Max(s => s.Definition.Window.Longest);
    }

    public CompiledSlo[] Slos { get; }

    public IReadOnlyDictionary<string, CompiledSlo> ByName { get; }

    public Dictionary<string, CompiledSlo[]> SpanSlosByService { get; }

    public Dictionary<string, MetricRoute[]> RoutesByMetric { get; }

    public TimeSpan Longest { get; }
}
