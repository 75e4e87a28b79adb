using System.Text.RegularExpressions;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Selectors;

namespace SloMonitor.Slos.Parsing;

/// <summary>Turns one SLO mapping (YAML or JSON, lowerCamelCase fields) into a validated <see cref="SloDefinition"/>.</summary>
internal static partial class SloDefinitionReader
{
    private static readonly string[] Fields =
        ["name", "service", "description", "objective", "window", "windows", "timeZone", "labels", "runbookUrl", "dashboardUrl", "groupBy", "maxGroups", "sli", "alerting", "policy", "traceUrlTemplate"];

    private static readonly string[] SliFields = ["kind", "source", "match", "bad", "good", "total", "metric", "threshold", "percentile", "timeslice", "lateness", "aggregation", "parts", "combine"];

    /// <summary>The most parts one composite SLI may have.</summary>
    public const int MaxCompositeParts = 50;

    private static readonly string[] AlertingFields = ["rules", "minEvents", "resolveAfter", "noData", "budgetExhaustion", "budgetRemaining"];

    private static readonly string[] RuleFields = ["severity", "longWindow", "shortWindow", "burnRate", "budgetShare"];

    [GeneratedRegex("^[a-z0-9-]+$")]
    private static partial Regex NamePattern();

    /// <summary>Returns the definition, or null when <paramref name="reader"/> collected errors for it.</summary>
    public static SloDefinition? Read(ConfigNode node, string origin, NodeReader reader)
    {
        var before = reader.Errors.Count;
        var map = reader.Map(node);
        if (map is null)
        {
            if (reader.Errors.Count == before)
            {
                reader.Error(node, "expected an SLO mapping");
            }

            return null;
        }

        reader.RejectUnknown(map, Fields);
        var name = reader.String(map, "name", required: true);
        if (name is not null && (!NamePattern().IsMatch(name) || name.Length > 100))
        {
            reader.Error(map.Get("name")!, $"must match [a-z0-9-]+ (at most 100 characters), found '{name}'");
        }

        var service = reader.String(map, "service", required: true);
        var objective = reader.Number(map, "objective", required: true);
        if (objective is { } o && (o <= 0 || o >= 100))
        {
            reader.Error(map.Get("objective")!, $"must be a percentage above 0 and below 100 (e.g. 99.9), found {o}");
        }

        var windows = ReadWindows(map, reader);
        var window = windows?[0];
        var groupBy = reader.StringList(map, "groupBy");
        var maxGroups = reader.Integer(map, "maxGroups", 1);
        var sliNode = reader.Map(map.Get("sli"));
        SliDefinition? sli = null;
        if (sliNode is null)
        {
            if (map.Get("sli") is null or ScalarNode { Value: null })
            {
                reader.Error(map, "sli", "is required");
            }
        }
        else
        {
            sli = ReadSli(sliNode, reader);
        }

        if (sli is { Kind: SliKind.Composite })
        {
            if (groupBy.Count > 0)
            {
                reader.Error(map.Get("groupBy")!, "does not apply to a composite SLI: its events are its parts'");
            }

            if (name is not null && sli.Parts.FirstOrDefault(p => p.Slo == name) is not null)
            {
                reader.Error(sliNode!.Get("parts")!, $"a composite cannot be a part of itself ('{name}')");
            }
        }

        var alerting = ReadAlerting(reader.Map(map.Get("alerting")), window?.Period, reader);
        window ??= SloWindow.RollingFor(TimeSpan.FromDays(30));
        var definition = new SloDefinition(
            name ?? "", service ?? "", reader.String(map, "description"), objective ?? 0, window,
            reader.StringMap(map, "labels"), Link(map, "runbookUrl", reader), Link(map, "dashboardUrl", reader),
            groupBy, maxGroups, sli!, alerting, origin)
        {
            Windows = windows ?? [window],
            Policy = ReadPolicy(reader.Map(map.Get("policy")), reader),
            TraceUrlTemplate = TraceTemplate(map, reader),
        };
        return reader.Errors.Count == before ? definition : null;
    }

    /// <summary>
    /// A link the UI and notifications show: only an absolute http or https URL, so that no <c>javascript:</c> or
    /// <c>data:</c> address can run when someone follows it.
    /// </summary>
    private static string? Link(MapNode map, string key, NodeReader reader)
    {
        var text = reader.String(map, key);
        if (text is null || LinkUrls.IsHttp(text))
        {
            return text;
        }

        reader.Error(map.Get(key)!, $"must be an absolute http:// or https:// URL, found '{(text.Length > 60 ? text[..60] + "…" : text)}'");
        return null;
    }

    /// <summary><c>traceUrlTemplate</c>: an absolute http(s) URL containing <c>{traceId}</c> (and optionally <c>{spanId}</c>).</summary>
    private static string? TraceTemplate(MapNode map, NodeReader reader)
    {
        var text = reader.String(map, "traceUrlTemplate");
        if (text is null || TraceLinks.IsValidTemplate(text))
        {
            return text;
        }

        reader.Error(map.Get("traceUrlTemplate")!, $"must be an absolute http:// or https:// URL containing {{traceId}}, found '{(text.Length > 60 ? text[..60] + "…" : text)}'");
        return null;
    }

    /// <summary>
    /// <c>window: 28d</c>, or <c>windows: [7d, 28d, 90d]</c> whose first entry drives alerting; 30 days when neither
    /// is given. Null after an error.
    /// </summary>
    private static List<SloWindow>? ReadWindows(MapNode map, NodeReader reader)
    {
        var zoneName = reader.String(map, "timeZone");
        if (map.Get("windows") is { } listNode and not ScalarNode { Value: null })
        {
            if (map.Get("window") is { } single and not ScalarNode { Value: null })
            {
                reader.Error(single, "give either 'window' or 'windows', not both");
                return null;
            }

            if (listNode is not SequenceNode { Items.Count: > 0 } sequence)
            {
                reader.Error(listNode, $"expected a non-empty list of windows such as [7d, 28d, 90d], found {listNode.Describe}");
                return null;
            }

            var windows = new List<SloWindow>();
            var failed = false;
            foreach (var item in sequence.Items)
            {
                var text = item is ScalarNode { Value: { } value } ? value : null;
                var window = text is null ? null : ReadWindow(text, item, zoneName, map, reader);
                if (text is null)
                {
                    reader.Error(item, $"expected a window such as 30d or month, found {item.Describe}");
                }

                if (window is null)
                {
                    failed = true;
                }
                else if (windows.Exists(w => w.Text == window.Text))
                {
                    reader.Error(item, $"'{window.Text}' is listed twice");
                    failed = true;
                }
                else
                {
                    windows.Add(window);
                }
            }

            CheckTimeZoneUse(windows, zoneName, map, reader);
            return failed ? null : windows;
        }

        var windowText = reader.String(map, "window") ?? "30d";
        var only = ReadWindow(windowText, map.Get("window") ?? map, zoneName, map, reader);
        if (only is null)
        {
            return null;
        }

        CheckTimeZoneUse([only], zoneName, map, reader);
        return [only];
    }

    private static SloWindow? ReadWindow(string text, ConfigNode node, string? zoneName, MapNode map, NodeReader reader)
    {
        if (text == SloWindow.MonthText)
        {
            try
            {
                return SloWindow.CalendarMonth(zoneName is null ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(zoneName));
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                reader.Error(map.Get("timeZone")!, $"unknown time zone '{zoneName}' (use an IANA name such as Europe/Paris)");
                return null;
            }
        }

        if (!DurationText.TryParse(text, out var length))
        {
            reader.Error(node, $"expected a duration such as 7d, 28d or 30d, or 'month', found '{text}'");
            return null;
        }

        if (length < TimeSpan.FromHours(1) || length > TimeSpan.FromDays(400))
        {
            reader.Error(node, $"must be between 1h and 400d, found '{text}'");
            return null;
        }

        return SloWindow.RollingFor(length);
    }

    private static void CheckTimeZoneUse(List<SloWindow> windows, string? zoneName, MapNode map, NodeReader reader)
    {
        if (zoneName is not null && !windows.Exists(w => w.IsCalendarMonth))
        {
            reader.Error(map.Get("timeZone")!, "applies only to a 'month' window");
        }
    }

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
