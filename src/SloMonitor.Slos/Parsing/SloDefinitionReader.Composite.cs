using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>Reading a composite SLI: the SLOs it is made of and how they combine.</summary>
internal static partial class SloDefinitionReader
{
    /// <summary>The most parts one composite SLI may have.</summary>
    public const int MaxCompositeParts = 50;

    /// <summary>
    /// <c>{kind: composite, combine: events|ratio, parts: [{slo: NAME, weight: 2}, …]}</c>: an SLI over other SLOs,
    /// each part named once, weights positive (1 when left out).
    /// </summary>
    private static SliDefinition? ReadComposite(MapNode map, NodeReader reader)
    {
        foreach (var field in new[] { "source", "match", "bad", "good", "total", "metric", "threshold", "percentile", "timeslice", "lateness", "aggregation" })
        {
            if (map.Get(field) is { } node && node is not ScalarNode { Value: null })
            {
                reader.Error(node, "does not apply to a composite SLI: its parts are other SLOs");
            }
        }

        var combineText = reader.String(map, "combine");
        CompositeCombine? combine = combineText switch
        {
            null or "events" => CompositeCombine.Events,
            "ratio" => CompositeCombine.Ratio,
            _ => null,
        };
        if (combine is null)
        {
            reader.Error(map.Get("combine")!, $"must be 'events' (weighted sums of the parts' events) or 'ratio' (weighted mean of their SLIs), found '{combineText}'");
        }

        var parts = new List<CompositePart>();
        if (map.Get("parts") is not SequenceNode { Items.Count: > 0 } list)
        {
            reader.Error(map, "parts", "is required for a composite SLI: a list of {slo, weight}");
            return null;
        }

        if (list.Items.Count > MaxCompositeParts)
        {
            reader.Error(list, $"has {list.Items.Count} parts, more than {MaxCompositeParts}");
        }

        foreach (var item in list.Items)
        {
            if (reader.Map(item) is not { } part)
            {
                continue;
            }

            reader.RejectUnknown(part, "slo", "weight");
            var slo = reader.String(part, "slo", required: true);
            var weight = reader.Number(part, "weight") ?? 1;
            if (part.Get("weight") is { } weightNode && (!(weight > 0) || double.IsInfinity(weight)))
            {
                reader.Error(weightNode, $"must be a positive number, found {weight}");
            }

            if (slo is not null && parts.Exists(p => p.Slo == slo))
            {
                reader.Error(part.Get("slo")!, $"'{slo}' is already a part of this composite");
            }

            if (slo is not null)
            {
                parts.Add(new CompositePart(slo, weight));
            }
        }

        return combine is null ? null : new SliDefinition(SliKind.Composite, SliSource.Slos) { Parts = parts, Combine = combine.Value };
    }
}
