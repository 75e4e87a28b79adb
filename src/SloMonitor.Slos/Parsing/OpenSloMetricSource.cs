using SloMonitor.Configuration;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// One <c>metricSource</c> of an OpenSLO indicator (under <c>good</c>, <c>bad</c>, <c>total</c> or
/// <c>thresholdMetric</c>): its <c>spec</c>, whether <c>spec.source</c> says <c>spans</c>, and <c>spec.query</c>.
/// </summary>
internal sealed record OpenSloMetricSource(MapNode Node, MapNode? Spec, bool Spans, ConfigNode? Query)
{
    public static OpenSloMetricSource? Read(MapNode parent, string field, NodeReader reader)
    {
        if (reader.Map(parent.Get(field)) is not { } node)
        {
            return null;
        }

        var metricSource = reader.Map(node.Get("metricSource"));
        var spec = metricSource is null ? null : reader.Map(metricSource.Get("spec"));
        var source = spec is null ? null : reader.String(spec, "source");
        if (source is not (null or "spans" or "metrics"))
        {
            reader.Error(spec!.Get("source")!, $"must be 'spans' or 'metrics', found '{source}'");
        }

        var query = spec?.Get("query");
        return new OpenSloMetricSource(node, spec, source == "spans", query is ScalarNode { Value: null } ? null : query);
    }

    public ConfigNode? RequireQuery(NodeReader reader)
    {
        if (Query is null)
        {
            reader.Error(Node, "metricSource.spec.query", "is required (a selector such as 'http.server.requests{http.route=\"/pay\"}')");
        }

        return Query;
    }
}
