using System.Globalization;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>An SLO left out of an OpenSLO export, and why.</summary>
public sealed record OpenSloSkipped(string Name, string Reason);

/// <summary>The YAML of an export (one <c>SLO</c> document per SLO) and the SLOs it could not express.</summary>
public sealed record OpenSloExport(string Yaml, IReadOnlyList<OpenSloSkipped> Skipped);

/// <summary>
/// Writes definitions as OpenSLO v1 <c>SLO</c> documents with their indicator inline, in the shape
/// <see cref="OpenSloImporter"/> reads back to the same definitions: queries are SloMonitor selectors in
/// <c>metricSource.spec.query</c> (<c>type: slomonitor</c>, <c>spec.source: spans</c> for span SLIs), the percentile,
/// gauge aggregation and slice lateness beside them, and what OpenSLO has no field for in <c>slomonitor/…</c>
/// annotations. An SLO with several windows cannot be written: OpenSLO has one time window per SLO.
/// </summary>
public static class OpenSloWriter
{
    public const string SourceType = "slomonitor";

    public static OpenSloExport Write(IEnumerable<SloDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var documents = new List<YamlMap>();
        var skipped = new List<OpenSloSkipped>();
        foreach (var definition in definitions)
        {
            if (Unsupported(definition) is { } reason)
            {
                skipped.Add(new OpenSloSkipped(definition.Name, reason));
            }
            else
            {
                documents.Add(Document(definition));
            }
        }

        var text = new StringWriter(CultureInfo.InvariantCulture);
        foreach (var skip in skipped)
        {
            text.Write($"# not exported: {skip.Name}: {skip.Reason}\n");
        }

        YamlText.Write(text, documents);
        return new OpenSloExport(text.ToString(), skipped);
    }

    /// <summary>Why OpenSLO cannot carry <paramref name="definition"/> exactly, or null when it can.</summary>
    public static string? Unsupported(SloDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (definition.Sli.Kind == SliKind.Composite)
        {
            return "it is a composite SLO, which OpenSLO v1 has no document for (its composite is still a draft)";
        }

        if (definition.Windows.Count > 1)
        {
            return $"it lists {definition.Windows.Count} windows ({string.Join(", ", definition.Windows.Select(w => w.Text))}); an OpenSLO SLO has exactly one time window";
        }

        if (!definition.Window.IsCalendarMonth && Shorthand(definition.Window.Rolling) is null)
        {
            return $"window {definition.Window.Text} is not a whole number of minutes, as OpenSLO durations are";
        }

        if (definition.Sli.Timeslice is { } slice && Shorthand(slice) is null)
        {
            return $"timeslice {DurationText.Format(slice)} is not a whole number of minutes, as OpenSLO durations are";
        }

        if (definition.GroupBy.FirstOrDefault(g => g.Contains(',', StringComparison.Ordinal)) is { } name)
        {
            return $"groupBy attribute '{name}' contains a comma, which the {OpenSloAnnotations.GroupBy} annotation separates names with";
        }

        return null;
    }

    private static YamlMap Document(SloDefinition definition)
    {
        var metadata = new YamlMap { { "name", definition.Name } };
        if (definition.Labels.Count > 0)
        {
            var labels = new YamlMap();
            foreach (var (key, value) in definition.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                labels.Add(key, value);
            }

            metadata.Add("labels", labels);
        }

        var annotations = Annotations(definition);
        if (annotations.Count > 0)
        {
            metadata.Add("annotations", annotations);
        }

        var spec = new YamlMap();
        if (definition.Description is { } description)
        {
            spec.Add("description", description);
        }

        spec.Add("service", definition.Service);
        spec.Add("indicator", new YamlMap { { "metadata", new YamlMap { { "name", definition.Name } } }, { "spec", Indicator(definition.Sli) } });
        spec.Add("timeWindow", new List<object> { TimeWindow(definition.Window) });
        spec.Add("budgetingMethod", definition.Sli.IsTimeslice ? "Timeslices" : "Occurrences");
        spec.Add("objectives", new List<object> { Objective(definition) });
        return new YamlMap
        {
            { "apiVersion", "openslo/v1" },
            { "kind", "SLO" },
            { "metadata", metadata },
            { "spec", spec },
        };
    }

    private static YamlMap Annotations(SloDefinition definition)
    {
        var annotations = new YamlMap();
        if (definition.RunbookUrl is { } runbook)
        {
            annotations.Add(OpenSloAnnotations.RunbookUrl, runbook);
        }

        if (definition.DashboardUrl is { } dashboard)
        {
            annotations.Add(OpenSloAnnotations.DashboardUrl, dashboard);
        }

        if (definition.GroupBy.Count > 0)
        {
            annotations.Add(OpenSloAnnotations.GroupBy, string.Join(',', definition.GroupBy));
        }

        if (definition.MaxGroups is { } maxGroups)
        {
            annotations.Add(OpenSloAnnotations.MaxGroups, maxGroups.ToString(CultureInfo.InvariantCulture));
        }

        if (SloDefinitionJson.Write(definition)["alerting"] is { } alerting)
        {
            annotations.Add(OpenSloAnnotations.Alerting, alerting.ToJsonString());
        }

        if (SloDefinitionJson.Write(definition)["policy"] is { } policy)
        {
            annotations.Add(OpenSloAnnotations.Policy, policy.ToJsonString());
        }

        return annotations;
    }

    private static YamlMap Indicator(SliDefinition sli)
    {
        var spans = sli.Source == SliSource.Spans;
        switch (sli.Kind)
        {
            case SliKind.Availability:
                return new YamlMap
                {
                    {
                        "ratioMetric", new YamlMap
                        {
                            { "counter", true },
                            { "bad", Source(spans, sli.Bad ?? OpenSloImporter.ErrorStatusSelector) },
                            { "total", Source(spans, sli.Match) },
                        }
                    },
                };
            case SliKind.Ratio:
                var ratio = new YamlMap { { "counter", true } };
                if (sli.Good is { } good)
                {
                    ratio.Add("good", Source(spans, good));
                }

                if (sli.Bad is { } bad)
                {
                    ratio.Add("bad", Source(spans, bad));
                }

                ratio.Add("total", Source(spans, sli.Total));
                return new YamlMap { { "ratioMetric", ratio } };
            default:
                var source = Source(spans, spans ? sli.Match : sli.Metric);
                var spec = (YamlMap)((YamlMap)source["metricSource"])["spec"];
                if (sli.Percentile is { } percentile)
                {
                    spec.Add("percentile", new YamlNumber(percentile.ToString("R", CultureInfo.InvariantCulture)));
                }

                if (sli.Lateness is { } lateness)
                {
                    spec.Add("lateness", DurationText.Format(lateness));
                }

                if (sli.Kind == SliKind.Gauge && sli.Aggregation != GaugeAggregationKind.Max)
                {
                    spec.Add("aggregation", sli.Aggregation.ToString().ToLowerInvariant());
                }

                return new YamlMap { { "thresholdMetric", source } };
        }
    }

    /// <summary><c>{metricSource: {type: slomonitor, spec: {source: spans, query: …}}}</c>; no query means every span of the service.</summary>
    private static YamlMap Source(bool spans, string? query)
    {
        var spec = new YamlMap();
        if (spans)
        {
            spec.Add("source", "spans");
        }

        if (query is not null)
        {
            spec.Add("query", query);
        }

        return new YamlMap { { "metricSource", new YamlMap { { "type", SourceType }, { "spec", spec } } } };
    }

    private static YamlMap TimeWindow(SloWindow window) => window.IsCalendarMonth
        ? new YamlMap
        {
            { "duration", "1M" },
            { "calendar", new YamlMap { { "startTime", "2020-01-01 00:00:00" }, { "timeZone", window.TimeZone!.Id } } },
            { "isRolling", false },
        }
        : new YamlMap { { "duration", Shorthand(window.Rolling)! }, { "isRolling", true } };

    private static YamlMap Objective(SloDefinition definition)
    {
        var objective = new YamlMap();
        var sli = definition.Sli;
        if (sli.Kind is SliKind.Latency or SliKind.Gauge)
        {
            objective.Add("op", "lte");
            objective.Add("value", new YamlNumber(sli.Threshold!.Value.ToString("R", CultureInfo.InvariantCulture)));
        }

        // In decimal, so that objective 99.9 is target 0.999 exactly.
        var percent = decimal.Parse(definition.Objective.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        objective.Add("target", new YamlNumber((percent / 100).ToString(CultureInfo.InvariantCulture)));
        if (sli.Timeslice is { } slice)
        {
            objective.Add("timeSliceWindow", Shorthand(slice)!);
        }

        return objective;
    }

    /// <summary>The OpenSLO duration shorthand (<c>5m</c>, <c>6h</c>, <c>30d</c>), or null below whole minutes.</summary>
    private static string? Shorthand(TimeSpan value)
    {
        var text = DurationText.Format(value);
        return text.EndsWith('s') ? null : text;
    }
}
