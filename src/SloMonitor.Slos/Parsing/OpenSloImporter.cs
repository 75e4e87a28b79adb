using System.Globalization;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// Imports OpenSLO v1 <c>SLO</c> and <c>SLI</c> documents of the kinds SloMonitor evaluates: a
/// <c>ratioMetric</c> becomes a ratio SLI, a <c>thresholdMetric</c> a gauge (with <c>Timeslices</c> budgeting) or a
/// latency SLI from a histogram metric (with <c>Occurrences</c>). Each <c>metricSource.spec.query</c> is a selector
/// in SloMonitor's syntax. SLIs referenced by <c>indicatorRef</c> must be in the same file.
/// </summary>
internal sealed class OpenSloImporter(NodeReader reader, string fileName)
{
    private readonly Dictionary<string, MapNode> _indicators = new(StringComparer.Ordinal);
    private readonly List<MapNode> _slos = [];

    public void Add(MapNode document)
    {
        var apiVersion = reader.String(document, "apiVersion");
        if (apiVersion != "openslo/v1")
        {
            reader.Error(document.Get("apiVersion")!, $"only 'openslo/v1' documents can be imported, found '{apiVersion}'");
            return;
        }

        var kind = reader.String(document, "kind", required: true);
        switch (kind)
        {
            case "SLO":
                _slos.Add(document);
                break;
            case "SLI":
                if (reader.Map(document.Get("metadata")) is { } metadata && reader.String(metadata, "name", required: true) is { } name)
                {
                    _indicators[name] = document;
                }

                break;
            case null:
                break;
            default:
                reader.Error(document.Get("kind")!, $"OpenSLO kind '{kind}' is not imported (only SLO and SLI)");
                break;
        }
    }

    public IEnumerable<SloDefinition> Finish()
    {
        foreach (var document in _slos)
        {
            if (Convert(document) is { } converted && SloDefinitionReader.Read(converted, fileName, reader) is { } definition)
            {
                yield return definition;
            }
        }
    }

    private MapNode? Convert(MapNode document)
    {
        var before = reader.Errors.Count;
        var metadata = reader.Map(document.Get("metadata"));
        var spec = reader.Map(document.Get("spec"));
        if (metadata is null || spec is null)
        {
            reader.Error(document, metadata is null ? "metadata" : "spec", "is required");
            return null;
        }

        var entries = new List<KeyValuePair<string, ConfigNode>>();
        void Put(string key, ConfigNode? node)
        {
            if (node is not null)
            {
                entries.Add(new(key, node));
            }
        }

        Put("name", metadata.Get("name"));
        Put("labels", metadata.Get("labels"));
        Put("service", spec.Get("service"));
        Put("description", spec.Get("description"));

        var objectives = spec.Get("objectives") as SequenceNode;
        var objective = objectives is { Items.Count: 1 } ? reader.Map(objectives.Items[0]) : null;
        if (objective is null)
        {
            reader.Error(spec, "objectives", "must list exactly one objective");
            return null;
        }

        var timeslices = reader.String(spec, "budgetingMethod") is "Timeslices" or "RatioTimeslices";
        if (reader.Number(objective, "targetPercent") is { } percent)
        {
            Put("objective", objective.Get("targetPercent"));
        }
        else if (reader.Number(objective, "target", required: true) is { } target)
        {
            var node = objective.Get("target")!;
            Put("objective", new ScalarNode(node.Path, node.Location, (target * 100).ToString("R", CultureInfo.InvariantCulture), false));
        }

        if (spec.Get("timeWindow") is SequenceNode { Items.Count: 1 } windows && reader.Map(windows.Items[0]) is { } window)
        {
            var calendar = reader.Map(window.Get("calendar"));
            if (calendar is not null && window.Get("duration") is null)
            {
                // Found by fuzzing: a calendar window without a duration.
                reader.Error(window, "duration", "is required");
            }
            else if (calendar is not null)
            {
                var duration = window.Get("duration")!;
                Put("window", new ScalarNode(duration.Path, duration.Location, SloWindow.MonthText, true));
                Put("timeZone", calendar.Get("timeZone"));
                if (reader.String(window, "duration") is not ("1M" or "1mo" or "month"))
                {
                    reader.Error(duration, "only calendar months (1M) are supported for calendar windows");
                }
            }
            else
            {
                Put("window", window.Get("duration"));
            }
        }
        else
        {
            reader.Error(spec, "timeWindow", "must list exactly one time window");
        }

        var indicator = ResolveIndicator(spec);
        if (indicator is not null)
        {
            Put("sli", ConvertIndicator(indicator, objective, timeslices));
        }

        return reader.Errors.Count == before ? new MapNode("", document.Location, entries) : null;
    }

    private MapNode? ResolveIndicator(MapNode spec)
    {
        if (reader.String(spec, "indicatorRef") is { } reference)
        {
            if (_indicators.TryGetValue(reference, out var document) && reader.Map(document.Get("spec")) is { } found)
            {
                return found;
            }

            reader.Error(spec.Get("indicatorRef")!, $"no SLI named '{reference}' in this file");
            return null;
        }

        if (reader.Map(spec.Get("indicator")) is { } inline && reader.Map(inline.Get("spec")) is { } inlineSpec)
        {
            return inlineSpec;
        }

        reader.Error(spec, "indicator", "an indicator or indicatorRef is required");
        return null;
    }

    private MapNode? ConvertIndicator(MapNode indicator, MapNode objective, bool timeslices)
    {
        var entries = new List<KeyValuePair<string, ConfigNode>>();
        ConfigNode Text(ConfigNode at, string value) => new ScalarNode(at.Path, at.Location, value, true);
        ConfigNode? Query(MapNode? parent, string field)
        {
            var source = parent is null ? null : reader.Map(parent.Get(field));
            var metricSource = source is null ? null : reader.Map(source.Get("metricSource"));
            var metricSpec = metricSource is null ? null : reader.Map(metricSource.Get("spec"));
            if (metricSpec?.Get("query") is { } query)
            {
                return query;
            }

            if (source is not null)
            {
                reader.Error(source, "metricSource.spec.query", "is required (a selector such as 'http.server.requests{http.route=\"/pay\"}')");
            }

            return null;
        }

        if (reader.Map(indicator.Get("ratioMetric")) is { } ratio)
        {
            entries.Add(new("kind", Text(ratio, "ratio")));
            entries.Add(new("source", Text(ratio, "metrics")));
            foreach (var field in new[] { "good", "bad", "total" })
            {
                if (ratio.Get(field) is not null && Query(ratio, field) is { } query)
                {
                    entries.Add(new(field, query));
                }
            }
        }
        else if (reader.Map(indicator.Get("thresholdMetric")) is { } threshold)
        {
            var query = Query(indicator, "thresholdMetric");
            if (reader.String(objective, "op") is not ("lte" or "lt"))
            {
                reader.Error(objective, "op", "only 'lte' (good when the value is at most 'value') is supported");
            }

            entries.Add(new("kind", Text(threshold, timeslices ? "gauge" : "latency")));
            entries.Add(new("source", Text(threshold, "metrics")));
            if (query is not null)
            {
                entries.Add(new("metric", query));
            }

            if (objective.Get("value") is { } value)
            {
                entries.Add(new("threshold", value));
            }

            if (timeslices && objective.Get("timeSliceWindow") is { } slice)
            {
                entries.Add(new("timeslice", slice));
            }
        }
        else
        {
            reader.Error(indicator, "ratioMetric", "an indicator needs a ratioMetric or a thresholdMetric");
            return null;
        }

        return new MapNode(indicator.Path, indicator.Location, entries);
    }
}
