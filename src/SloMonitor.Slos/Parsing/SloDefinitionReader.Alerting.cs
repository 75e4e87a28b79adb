using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>The <c>alerting</c> mapping: its burn-rate rules, minimum events, resolve delay and no-data alert.</summary>
internal static partial class SloDefinitionReader
{
    private static readonly string[] AlertingFields = ["rules", "minEvents", "resolveAfter", "noData", "budgetExhaustion", "budgetRemaining"];

    private static readonly string[] RuleFields = ["severity", "longWindow", "shortWindow", "burnRate", "budgetShare"];

    /// <summary>The alerting policy; <paramref name="period"/> (null when the window is invalid) bounds the rules.</summary>
    private static AlertingPolicy ReadAlerting(MapNode? map, TimeSpan? period, NodeReader reader)
    {
        if (map is null)
        {
            return AlertingPolicy.Default;
        }

        reader.RejectUnknown(map, AlertingFields);
        var rules = AlertingPolicy.DefaultRules;
        if (map.Get("rules") is { } rulesNode and not ScalarNode { Value: null })
        {
            if (rulesNode is SequenceNode sequence && sequence.Items.Count > 0)
            {
                var list = new List<BurnRateRule>();
                foreach (var item in sequence.Items)
                {
                    if (ReadRule(item, period, reader) is { } rule)
                    {
                        list.Add(rule);
                    }
                }

                rules = list;
            }
            else
            {
                reader.Error(rulesNode, $"expected a non-empty list of rules, found {rulesNode.Describe}");
            }
        }

        NoDataAlert? noData = null;
        if (reader.Map(map.Get("noData")) is { } noDataMap)
        {
            reader.RejectUnknown(noDataMap, "after", "severity");
            var after = reader.Duration(noDataMap, "after", TimeSpan.FromMinutes(1), TimeSpan.FromDays(7));
            if (after is null && noDataMap.Get("after") is null)
            {
                reader.Error(noDataMap, "after", "is required");
            }

            var severity = Severity(noDataMap, reader) ?? AlertingPolicy.Ticket;
            noData = after is null ? null : new NoDataAlert(after.Value, severity);
        }

        return new AlertingPolicy(
            rules,
            reader.Integer(map, "minEvents", 0),
            reader.Duration(map, "resolveAfter", TimeSpan.Zero, TimeSpan.FromDays(1)) ?? AlertingPolicy.DefaultResolveAfter,
            noData)
        {
            BudgetExhaustion = ReadBudgetExhaustion(map, period, reader),
            BudgetRemaining = ReadBudgetRemaining(map, reader),
        };
    }

    private static BurnRateRule? ReadRule(ConfigNode node, TimeSpan? period, NodeReader reader)
    {
        var map = reader.Map(node);
        if (map is null)
        {
            reader.Error(node, "expected a rule mapping");
            return null;
        }

        var before = reader.Errors.Count;
        reader.RejectUnknown(map, RuleFields);
        var severity = Severity(map, reader);
        if (severity is null && map.Get("severity") is null)
        {
            reader.Error(map, "severity", "is required");
        }

        var longWindow = reader.Duration(map, "longWindow", TimeSpan.FromMinutes(1), TimeSpan.FromDays(400));
        var shortWindow = reader.Duration(map, "shortWindow", TimeSpan.FromSeconds(5), TimeSpan.FromDays(400));
        foreach (var field in new[] { "longWindow", "shortWindow" })
        {
            if (map.Get(field) is null)
            {
                reader.Error(map, field, "is required");
            }
        }

        if (longWindow is { } l && shortWindow is { } s && s >= l)
        {
            reader.Error(map.Get("shortWindow")!, $"must be shorter than longWindow ({DurationText.Format(l)}): the short window confirms that the long window's burn is still going on");
        }

        if (longWindow is { } lw && period is { } p && lw > p)
        {
            reader.Error(map.Get("longWindow")!, $"must not be longer than the SLO window ({DurationText.Format(p)}): the burn rate over it would count errors the budget no longer holds");
        }

        var burnRate = reader.Number(map, "burnRate");
        var share = reader.Number(map, "budgetShare");
        if ((burnRate is null) == (share is null))
        {
            reader.Error(map, "burnRate", "give exactly one of 'burnRate' or 'budgetShare'");
        }

        if (burnRate is <= 0 || share is <= 0 or > 1)
        {
            reader.Error(map, burnRate is not null ? "burnRate" : "budgetShare", "must be positive (budgetShare at most 1)");
        }
        else if (burnRate is { } rate && rate <= 1)
        {
            reader.Error(map.Get("burnRate")!, $"must be above 1, found {rate}: at a burn rate of 1 or less the budget lasts the whole SLO window, so the rule would alert on a service that meets its objective");
        }
        else if (share is { } budgetShare && longWindow is { } shareWindow && period is { } sharePeriod && budgetShare * sharePeriod.TotalSeconds / shareWindow.TotalSeconds <= 1)
        {
            var threshold = budgetShare * sharePeriod.TotalSeconds / shareWindow.TotalSeconds;
            reader.Error(map.Get("budgetShare")!, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{budgetShare} of the budget over {DurationText.Format(shareWindow)} is a burn rate of {threshold:0.###} for a {DurationText.Format(sharePeriod)} window; it must be above 1, or the rule alerts on a service that meets its objective (raise the share or shorten longWindow)"));
        }

        return reader.Errors.Count == before ? new BurnRateRule(severity!, longWindow!.Value, shortWindow!.Value, burnRate, share) : null;
    }

    private static string? Severity(MapNode map, NodeReader reader)
    {
        var severity = reader.String(map, "severity");
        if (severity is not null and not AlertingPolicy.Page and not AlertingPolicy.Ticket)
        {
            reader.Error(map.Get("severity")!, $"must be 'page' or 'ticket', found '{severity}'");
            return null;
        }

        return severity;
    }
}
