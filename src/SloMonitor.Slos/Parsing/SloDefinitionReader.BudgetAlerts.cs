using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// <c>alerting.budgetExhaustion</c> and <c>alerting.budgetRemaining</c> (one mapping or a list of them, each with a
/// severity), and the release <c>policy</c>.
/// </summary>
internal static partial class SloDefinitionReader
{
    private static readonly string[] ExhaustionFields = ["window", "within", "severity"];

    private static readonly string[] RemainingFields = ["below", "severity"];

    private static List<BudgetExhaustionAlert> ReadBudgetExhaustion(MapNode alerting, TimeSpan? period, NodeReader reader)
    {
        var alerts = new List<BudgetExhaustionAlert>();
        foreach (var map in Entries(alerting, "budgetExhaustion", "{window: 1h, within: 3d, severity: page}", reader))
        {
            var before = reader.Errors.Count;
            reader.RejectUnknown(map, ExhaustionFields);
            var severity = RequiredSeverity(map, reader);
            var window = reader.Duration(map, "window", TimeSpan.FromMinutes(5), TimeSpan.FromDays(400));
            if (window is null && map.Get("window") is null)
            {
                reader.Error(map, "window", "is required: the window whose burn rate the forecast assumes, e.g. 1h");
            }
            else if (window is { } w && period is { } p && w > p)
            {
                reader.Error(map.Get("window")!, $"must not be longer than the SLO window ({DurationText.Format(p)})");
            }

            var within = reader.Duration(map, "within", TimeSpan.FromMinutes(1), TimeSpan.FromDays(400));
            if (reader.Errors.Count == before)
            {
                alerts.Add(new BudgetExhaustionAlert(severity!, window!.Value, within));
            }
        }

        return alerts;
    }

    private static List<BudgetRemainingAlert> ReadBudgetRemaining(MapNode alerting, NodeReader reader)
    {
        var alerts = new List<BudgetRemainingAlert>();
        foreach (var map in Entries(alerting, "budgetRemaining", "{below: 0.25, severity: ticket}", reader))
        {
            var before = reader.Errors.Count;
            reader.RejectUnknown(map, RemainingFields);
            var severity = RequiredSeverity(map, reader);
            var below = reader.Number(map, "below", required: true);
            if (below is { } b && (b < 0 || b > 1 || reader.String(map, "below")!.EndsWith('%')))
            {
                reader.Error(map.Get("below")!, $"must be a share of the budget from 0 to 1 (0.25 alerts when less than a quarter remains), found '{reader.String(map, "below")}'");
            }

            if (reader.Errors.Count == before)
            {
                alerts.Add(new BudgetRemainingAlert(severity!, below!.Value));
            }
        }

        return alerts;
    }

    /// <summary><c>policy: {freezeBelow: 0, freezeWhilePaging: true}</c>; null when absent.</summary>
    internal static ReleasePolicy? ReadPolicy(MapNode? map, NodeReader reader)
    {
        if (map is null)
        {
            return null;
        }

        var before = reader.Errors.Count;
        reader.RejectUnknown(map, "freezeBelow", "freezeWhilePaging");
        var below = reader.Number(map, "freezeBelow");
        if (below is { } b && (b < 0 || b > 1 || reader.String(map, "freezeBelow")!.EndsWith('%')))
        {
            reader.Error(map.Get("freezeBelow")!, $"must be a share of the budget from 0 to 1 (0 freezes releases once the budget is overspent), found '{reader.String(map, "freezeBelow")}'");
        }

        var paging = reader.String(map, "freezeWhilePaging");
        if (paging is not null and not "true" and not "false")
        {
            reader.Error(map.Get("freezeWhilePaging")!, $"expected true or false, found '{paging}'");
        }

        if (below is null && paging is null && reader.Errors.Count == before)
        {
            reader.Error(map, "freezeBelow", "give 'freezeBelow', 'freezeWhilePaging' or both");
        }

        return reader.Errors.Count == before ? new ReleasePolicy(below, paging == "true") : null;
    }

    private static string? RequiredSeverity(MapNode map, NodeReader reader)
    {
        var severity = Severity(map, reader);
        if (severity is null && map.Get("severity") is null)
        {
            reader.Error(map, "severity", "is required ('page' or 'ticket')");
        }

        return severity;
    }

    /// <summary>The mappings of <paramref name="field"/>: one mapping, or a non-empty list of them.</summary>
    private static List<MapNode> Entries(MapNode alerting, string field, string example, NodeReader reader)
    {
        var maps = new List<MapNode>();
        switch (alerting.Get(field))
        {
            case null or ScalarNode { Value: null }:
                break;
            case MapNode map:
                maps.Add(map);
                break;
            case SequenceNode { Items.Count: > 0 } sequence:
                foreach (var item in sequence.Items)
                {
                    if (item is MapNode entry)
                    {
                        maps.Add(entry);
                    }
                    else
                    {
                        reader.Error(item, $"expected a mapping such as {example}, found {item.Describe}");
                    }
                }

                break;
            case var other:
                reader.Error(other, $"expected a mapping such as {example} or a list of them, found {other.Describe}");
                break;
        }

        return maps;
    }
}
