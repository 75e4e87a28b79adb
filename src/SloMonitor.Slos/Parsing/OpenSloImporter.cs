using System.Globalization;
using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// Imports OpenSLO v1 <c>SLO</c> and <c>SLI</c> documents of the kinds SloMonitor evaluates. Each
/// <c>metricSource.spec.query</c> is a selector in SloMonitor's syntax, over metrics unless
/// <c>metricSource.spec.source</c> says <c>spans</c>. A <c>ratioMetric</c> becomes a ratio SLI (an availability SLI
/// over spans); a <c>thresholdMetric</c> a latency SLI with <c>Occurrences</c>, and with <c>Timeslices</c> a gauge,
/// or a percentile latency SLI when <c>metricSource.spec.percentile</c> is set (<c>spec.aggregation</c> and
/// <c>spec.lateness</c> beside it are those SLI fields). What OpenSLO has no field for comes
/// in <c>slomonitor/…</c> annotations (<see cref="OpenSloWriter"/> writes them). SLIs referenced by
/// <c>indicatorRef</c> must be in the same file.
/// </summary>
internal sealed class OpenSloImporter(NodeReader reader, string fileName)
{
    /// <summary>The span selector that means what an availability SLI without <c>bad</c> counts as bad.</summary>
    internal const string ErrorStatusSelector = "status.code=\"error\"";

    private readonly Dictionary<string, MapNode> _indicators = new(StringComparer.Ordinal);
    private readonly List<MapNode> _slos = [];

    public static string? NameOf(MapNode document) =>
        (document.Get("metadata") as MapNode)?.Get("name") is ScalarNode { Value: { Length: > 0 } name } ? name : null;

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

    /// <summary>Each SLO document with its definition, or null when it has errors (added to the reader as it goes).</summary>
    public IEnumerable<(MapNode Document, SloDefinition? Definition)> Finish()
    {
        foreach (var document in _slos)
        {
            yield return (document, Convert(document) is { } converted ? SloDefinitionReader.Read(converted, fileName, reader) : null);
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
        if (reader.Map(metadata.Get("annotations")) is { } annotations)
        {
            OpenSloAnnotations.Read(annotations, reader, Put);
        }

        var objectives = spec.Get("objectives") as SequenceNode;
        var objective = objectives is { Items.Count: 1 } ? reader.Map(objectives.Items[0]) : null;
        if (objective is null)
        {
            reader.Error(spec, "objectives", "must list exactly one objective");
            return null;
        }

        var timeslices = reader.String(spec, "budgetingMethod") is "Timeslices" or "RatioTimeslices";
        if (objective.Get("targetPercent") is not null)
        {
            if (reader.Number(objective, "targetPercent") is not null)
            {
                Put("objective", objective.Get("targetPercent"));
            }
        }
        else if (reader.Number(objective, "target", required: true) is { } target)
        {
            // In decimal, so that target 0.999 is objective 99.9 exactly rather than 99.89999999999999.
            var node = (ScalarNode)objective.Get("target")!;
            var percent = decimal.TryParse(node.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var exact)
                ? (exact * 100).ToString(CultureInfo.InvariantCulture)
                : (target * 100).ToString("R", CultureInfo.InvariantCulture);
            Put("objective", new ScalarNode(node.Path, node.Location, percent, false));
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
        void Put(string key, ConfigNode? node)
        {
            if (node is not null)
            {
                entries.Add(new(key, node));
            }
        }

        if (reader.Map(indicator.Get("ratioMetric")) is { } ratio)
        {
            var sources = new List<(string Field, OpenSloMetricSource Source)>();
            foreach (var field in new[] { "good", "bad", "total" })
            {
                if (ratio.Get(field) is not null && OpenSloMetricSource.Read(ratio, field, reader) is { } source)
                {
                    sources.Add((field, source));
                }
            }

            var spans = sources.Count > 0 && sources[^1].Source.Spans;
            foreach (var (field, source) in sources)
            {
                if (source.Spans != spans)
                {
                    reader.Error(source.Node, "every metric source of one indicator must read the same source (spans or metrics)");
                }
            }

            Put("kind", Text(ratio, spans ? "availability" : "ratio"));
            Put("source", Text(ratio, spans ? "spans" : "metrics"));
            foreach (var (field, source) in sources)
            {
                if (!spans)
                {
                    Put(field, source.RequireQuery(reader));
                }
                else if (field == "total")
                {
                    Put("match", source.Query);
                }
                else if (field == "bad")
                {
                    // An availability SLI without `bad` counts spans with status ERROR; the writer says so this way.
                    var bad = source.RequireQuery(reader);
                    Put("bad", bad is ScalarNode { Value: ErrorStatusSelector } ? null : bad);
                }
                else
                {
                    reader.Error(source.Node, "an availability SLI over spans counts bad spans: give 'bad' and 'total'");
                }
            }

            if (spans && !sources.Exists(s => s.Field == "total"))
            {
                reader.Error(ratio, "total", "is required (the spans counted; its query may be left out for every span of the service)");
            }
        }
        else if (reader.Map(indicator.Get("thresholdMetric")) is { } threshold)
        {
            var source = OpenSloMetricSource.Read(indicator, "thresholdMetric", reader);
            if (reader.String(objective, "op") is not ("lte" or "lt"))
            {
                reader.Error(objective, "op", "only 'lte' (good when the value is at most 'value') is supported");
            }

            var percentile = source?.Spec?.Get("percentile");
            if (percentile is not null && !timeslices)
            {
                reader.Error(percentile, "a percentile objective is judged per time slice: use budgetingMethod Timeslices");
            }

            var kind = percentile is not null || !timeslices ? "latency" : "gauge";
            Put("kind", Text(threshold, kind));
            Put("source", Text(threshold, source?.Spans == true ? "spans" : "metrics"));
            if (source is not null)
            {
                Put(source.Spans ? "match" : "metric", source.Spans ? source.Query : source.RequireQuery(reader));
            }

            Put("threshold", objective.Get("value"));
            Put("percentile", percentile);
            Put("aggregation", source?.Spec?.Get("aggregation"));
            Put("lateness", source?.Spec?.Get("lateness"));
            if (timeslices)
            {
                Put("timeslice", objective.Get("timeSliceWindow"));
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
