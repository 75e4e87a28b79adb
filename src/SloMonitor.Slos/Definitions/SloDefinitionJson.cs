using System.Text.Json.Nodes;

namespace SloMonitor.Slos.Definitions;

/// <summary>
/// A definition written back as the JSON that <c>PUT /api/v1/slos/{name}</c> accepts, in one canonical form: fields
/// in a fixed order, durations in their shortest unit, fields left at their defaults left out. Reading it back gives
/// the same definition (tested), so two definitions are the same exactly when their canonical forms are.
/// </summary>
public static class SloDefinitionJson
{
    public static JsonObject Write(SloDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var json = new JsonObject
        {
            ["name"] = definition.Name,
            ["service"] = definition.Service,
        };
        Put(json, "description", definition.Description);
        json["objective"] = definition.Objective;
        if (definition.Windows.Count == 1)
        {
            json["window"] = definition.Window.Text;
        }
        else
        {
            json["windows"] = new JsonArray([.. definition.Windows.Select(w => (JsonNode?)JsonValue.Create(w.Text))]);
        }

        Put(json, "timeZone", definition.Windows.FirstOrDefault(w => w.IsCalendarMonth)?.TimeZone?.Id);
        if (definition.Labels.Count > 0)
        {
            var labels = new JsonObject();
            foreach (var (name, value) in definition.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                labels[name] = value;
            }

            json["labels"] = labels;
        }

        Put(json, "runbookUrl", definition.RunbookUrl);
        Put(json, "dashboardUrl", definition.DashboardUrl);
        Put(json, "traceUrlTemplate", definition.TraceUrlTemplate);
        if (definition.GroupBy.Count > 0)
        {
            json["groupBy"] = new JsonArray([.. definition.GroupBy.Select(g => (JsonNode?)JsonValue.Create(g))]);
        }

        if (definition.MaxGroups is { } maxGroups)
        {
            json["maxGroups"] = maxGroups;
        }

        json["sli"] = Sli(definition.Sli);
        if (Alerting(definition.Alerting) is { } alerting)
        {
            json["alerting"] = alerting;
        }

        if (definition.Policy is { } policy)
        {
            var item = new JsonObject();
            if (policy.FreezeBelow is { } below)
            {
                item["freezeBelow"] = below;
            }

            item["freezeWhilePaging"] = policy.FreezeWhilePaging;
            json["policy"] = item;
        }

        return json;
    }

    public static string WriteText(SloDefinition definition) => Write(definition).ToJsonString();

    private static JsonObject Sli(SliDefinition sli)
    {
        var json = new JsonObject
        {
            ["kind"] = sli.Kind.ToString().ToLowerInvariant(),
            ["source"] = sli.Source.ToString().ToLowerInvariant(),
        };
        Put(json, "match", sli.Match);
        Put(json, "bad", sli.Bad);
        Put(json, "good", sli.Good);
        Put(json, "total", sli.Total);
        Put(json, "metric", sli.Metric);
        if (sli.Threshold is { } threshold)
        {
            json["threshold"] = threshold;
        }

        if (sli.Percentile is { } percentile)
        {
            json["percentile"] = percentile;
        }

        if (sli.Timeslice is { } timeslice)
        {
            json["timeslice"] = DurationText.Format(timeslice);
        }

        if (sli.Lateness is { } lateness)
        {
            json["lateness"] = DurationText.Format(lateness);
        }

        if (sli.Kind == SliKind.Composite)
        {
            json["combine"] = sli.Combine.ToString().ToLowerInvariant();
            json["parts"] = new JsonArray([.. sli.Parts.Select(p => (JsonNode)new JsonObject { ["slo"] = p.Slo, ["weight"] = p.Weight })]);
            json.Remove("source");
        }

        if (sli.Kind == SliKind.Gauge)
        {
            json["aggregation"] = sli.Aggregation.ToString().ToLowerInvariant();
        }

        return json;
    }

    private static JsonObject? Alerting(AlertingPolicy policy)
    {
        var defaultRules = policy.Rules.SequenceEqual(AlertingPolicy.DefaultRules);
        if (defaultRules && policy.MinEvents is null && policy.ResolveAfter == AlertingPolicy.DefaultResolveAfter && policy.NoData is null
            && policy.BudgetExhaustion.Count == 0 && policy.BudgetRemaining.Count == 0)
        {
            return null;
        }

        var json = new JsonObject();
        if (!defaultRules)
        {
            var rules = new JsonArray();
            foreach (var rule in policy.Rules)
            {
                var item = new JsonObject
                {
                    ["severity"] = rule.Severity,
                    ["longWindow"] = DurationText.Format(rule.LongWindow),
                    ["shortWindow"] = DurationText.Format(rule.ShortWindow),
                };
                if (rule.BurnRate is { } burnRate)
                {
                    item["burnRate"] = burnRate;
                }
                else
                {
                    item["budgetShare"] = rule.BudgetShare;
                }

                rules.Add(item);
            }

            json["rules"] = rules;
        }

        if (policy.MinEvents is { } minEvents)
        {
            json["minEvents"] = minEvents;
        }

        if (policy.ResolveAfter != AlertingPolicy.DefaultResolveAfter)
        {
            json["resolveAfter"] = DurationText.Format(policy.ResolveAfter);
        }

        if (policy.NoData is { } noData)
        {
            json["noData"] = new JsonObject { ["after"] = DurationText.Format(noData.After), ["severity"] = noData.Severity };
        }

        if (policy.BudgetExhaustion.Count > 0)
        {
            var list = new JsonArray();
            foreach (var alert in policy.BudgetExhaustion)
            {
                var item = new JsonObject { ["window"] = DurationText.Format(alert.Window) };
                if (alert.Within is { } within)
                {
                    item["within"] = DurationText.Format(within);
                }

                item["severity"] = alert.Severity;
                list.Add(item);
            }

            json["budgetExhaustion"] = list;
        }

        if (policy.BudgetRemaining.Count > 0)
        {
            var list = new JsonArray();
            foreach (var alert in policy.BudgetRemaining)
            {
                list.Add(new JsonObject { ["below"] = alert.Below, ["severity"] = alert.Severity });
            }

            json["budgetRemaining"] = list;
        }

        return json;
    }

    private static void Put(JsonObject json, string field, string? value)
    {
        if (value is not null)
        {
            json[field] = value;
        }
    }
}
