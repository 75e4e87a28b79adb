using System.Globalization;
using System.Text.Json.Nodes;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Definitions;

/// <summary>One field that differs: its path (<c>objective</c>, <c>sli.threshold</c>, <c>labels.team</c>) and both values; null where absent.</summary>
public sealed record SloFieldChange(string Field, JsonNode? From, JsonNode? To);

/// <summary>
/// What differs between two definitions, field by field over their canonical JSON (<see cref="SloDefinitionJson"/>),
/// and whether the change makes the engine start the SLO's series afresh.
/// </summary>
public static class SloDefinitionDiff
{
    /// <summary>The changed fields in canonical order; every field of the other side when one side is null.</summary>
    public static IReadOnlyList<SloFieldChange> Compare(SloDefinition? before, SloDefinition? after)
    {
        var from = Flatten(before is null ? null : SloDefinitionJson.Write(before));
        var to = Flatten(after is null ? null : SloDefinitionJson.Write(after));
        var changes = new List<SloFieldChange>();
        foreach (var (field, value) in to)
        {
            var old = from.Find(f => f.Field == field).Value;
            if (!JsonNode.DeepEquals(old, value))
            {
                changes.Add(new SloFieldChange(field, old?.DeepClone(), value?.DeepClone()));
            }
        }

        foreach (var (field, value) in from)
        {
            if (!to.Exists(t => t.Field == field))
            {
                changes.Add(new SloFieldChange(field, value?.DeepClone(), null));
            }
        }

        return changes;
    }

    /// <summary>
    /// True when going from <paramref name="before"/> to <paramref name="after"/> starts the SLO's SLI series
    /// empty: the SLI, the grouping or the window changed. Description, labels, links and the alerting policy keep them.
    /// </summary>
    public static bool RestartsHistory(SloDefinition before, SloDefinition after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return CompiledSlo.Fingerprint(before) != CompiledSlo.Fingerprint(after);
    }

    /// <summary>Leaves of the canonical JSON: objects are walked, lists of objects by index, other lists kept whole.</summary>
    private static List<(string Field, JsonNode? Value)> Flatten(JsonObject? json)
    {
        var leaves = new List<(string, JsonNode?)>();
        if (json is not null)
        {
            Walk(json, "", leaves);
        }

        return leaves;
    }

    private static void Walk(JsonNode node, string path, List<(string, JsonNode?)> leaves)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj)
                {
                    Walk(value!, path.Length == 0 ? key : path + "." + key, leaves);
                }

                break;
            case JsonArray array when array.Count > 0 && array[0] is JsonObject:
                for (var i = 0; i < array.Count; i++)
                {
                    Walk(array[i]!, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", leaves);
                }

                break;
            default:
                leaves.Add((path, node));
                break;
        }
    }
}
