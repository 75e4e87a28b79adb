using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Parsing;

/// <summary>The <c>sli</c> mapping: its kind, its selectors and the fields that kind needs or forbids.</summary>
internal static partial class SloDefinitionReader
{
    private static readonly string[] SliFields = ["kind", "source", "match", "bad", "good", "total", "metric", "threshold", "percentile", "timeslice", "lateness", "aggregation", "parts", "combine"];

    private static SliDefinition? ReadSli(MapNode map, NodeReader reader)
    {
        reader.RejectUnknown(map, SliFields);
        var kindText = reader.String(map, "kind", required: true);
        SliKind? kind = kindText switch
        {
            null => null,
            "availability" => SliKind.Availability,
            "ratio" => SliKind.Ratio,
            "latency" => SliKind.Latency,
            "gauge" => SliKind.Gauge,
            "composite" => SliKind.Composite,
            _ => null,
        };
        if (kindText is not null && kind is null)
        {
            reader.Error(map.Get("kind")!, $"must be one of availability, ratio, latency, gauge, composite; found '{kindText}'");
        }

        if (kind == SliKind.Composite)
        {
            return ReadComposite(map, reader);
        }

        if (map.Get("parts") is { } parts)
        {
            reader.Error(parts, "applies only to a composite SLI");
        }

        if (map.Get("combine") is { } combine)
        {
            reader.Error(combine, "applies only to a composite SLI");
        }

        var sourceText = reader.String(map, "source");
        SliSource? source = sourceText switch
        {
            null => kind is SliKind.Ratio or SliKind.Gauge ? SliSource.Metrics : SliSource.Spans,
            "spans" => SliSource.Spans,
            "metrics" => SliSource.Metrics,
            _ => null,
        };
        if (source is null)
        {
            reader.Error(map.Get("source")!, $"must be 'spans' or 'metrics', found '{sourceText}'");
        }

        if (kind is null || source is null)
        {
            return null;
        }

        var aggregationText = reader.String(map, "aggregation");
        var aggregation = aggregationText switch
        {
            null or "max" => GaugeAggregationKind.Max,
            "avg" => GaugeAggregationKind.Avg,
            _ => (GaugeAggregationKind?)null,
        };
        if (aggregation is null)
        {
            reader.Error(map.Get("aggregation")!, $"must be 'max' or 'avg', found '{aggregationText}'");
        }

        var sli = new SliDefinition(
            kind.Value, source.Value,
            Match: SpanSelector(map, "match", reader),
            Bad: reader.String(map, "bad"),
            Good: reader.String(map, "good"),
            Total: reader.String(map, "total"),
            Metric: reader.String(map, "metric"),
            Threshold: kind == SliKind.Latency ? reader.Seconds(map, "threshold", required: true)
                : kind == SliKind.Gauge ? reader.Number(map, "threshold", required: true) : null,
            Percentile: reader.Number(map, "percentile"),
            Timeslice: reader.Duration(map, "timeslice", TimeSpan.FromSeconds(10), TimeSpan.FromHours(1)),
            Aggregation: aggregation ?? GaugeAggregationKind.Max)
        {
            Lateness = reader.Duration(map, "lateness", TimeSpan.Zero, TimeSpan.FromHours(6)),
        };
        CheckCombination(map, sli, reader);
        return sli;
    }

    private static string? SpanSelector(MapNode map, string field, NodeReader reader)
    {
        var text = reader.String(map, field);
        if (text is not null && SelectorParser.TryParse(text, allowMetricName: false, out var error) is null)
        {
            reader.Error(map.Get(field)!, $"invalid selector: {error}");
        }

        return text;
    }

    private static void MetricSelector(MapNode map, string field, NodeReader reader)
    {
        var text = reader.String(map, field);
        if (text is not null && SelectorParser.TryParse(text, allowMetricName: true, out var error) is null)
        {
            reader.Error(map.Get(field)!, $"invalid selector: {error}");
        }
    }

    private static void CheckCombination(MapNode map, SliDefinition sli, NodeReader reader)
    {
        void Forbid(params string[] fields)
        {
            foreach (var field in fields)
            {
                if (map.Get(field) is { } node && node is not ScalarNode { Value: null })
                {
                    reader.Error(node, $"does not apply to a {sli.Kind.ToString().ToLowerInvariant()} SLI from {sli.Source.ToString().ToLowerInvariant()}");
                }
            }
        }

        void Require(string field)
        {
            if (map.Get(field) is null or ScalarNode { Value: null })
            {
                reader.Error(map, field, $"is required for a {sli.Kind.ToString().ToLowerInvariant()} SLI from {sli.Source.ToString().ToLowerInvariant()}");
            }
        }

        switch (sli.Kind)
        {
            case SliKind.Availability:
                if (sli.Source != SliSource.Spans)
                {
                    reader.Error(map.Get("source")!, "an availability SLI reads spans; use kind 'ratio' for counters");
                }

                SpanSelector(map, "bad", reader);
                Forbid("good", "total", "metric", "threshold", "percentile", "timeslice", "lateness", "aggregation");
                break;
            case SliKind.Ratio:
                if (sli.Source != SliSource.Metrics)
                {
                    reader.Error(map.Get("source")!, "a ratio SLI reads counters; use kind 'availability' for spans");
                }

                Require("total");
                MetricSelector(map, "total", reader);
                if ((sli.Good is null) == (sli.Bad is null))
                {
                    reader.Error(map, "good", "give exactly one of 'good' or 'bad' beside 'total'");
                }

                MetricSelector(map, "good", reader);
                MetricSelector(map, "bad", reader);
                Forbid("match", "metric", "threshold", "percentile", "timeslice", "lateness", "aggregation");
                break;
            case SliKind.Latency:
                if (sli.Source == SliSource.Metrics)
                {
                    Require("metric");
                    MetricSelector(map, "metric", reader);
                    Forbid("match");
                }

                if (sli.Percentile is { } p && (p <= 0 || p >= 100))
                {
                    reader.Error(map.Get("percentile")!, $"must be above 0 and below 100 (e.g. 99), found {p}");
                }

                if (sli.Percentile is null)
                {
                    Forbid("timeslice", "lateness");
                }

                Forbid("bad", "good", "total", "aggregation");
                break;
            case SliKind.Gauge:
                if (sli.Source != SliSource.Metrics)
                {
                    reader.Error(map.Get("source")!, "a gauge SLI reads gauge metrics; use source 'metrics'");
                }

                Require("metric");
                MetricSelector(map, "metric", reader);
                Forbid("match", "bad", "good", "total", "percentile");
                break;
        }
    }
}
