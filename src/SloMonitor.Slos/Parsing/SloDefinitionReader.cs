using System.Text.RegularExpressions;
using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>Turns one SLO mapping (YAML or JSON, lowerCamelCase fields) into a validated <see cref="SloDefinition"/>.</summary>
internal static partial class SloDefinitionReader
{
    private static readonly string[] Fields =
        ["name", "service", "description", "objective", "window", "windows", "timeZone", "labels", "runbookUrl", "dashboardUrl", "groupBy", "maxGroups", "sli", "alerting", "policy", "traceUrlTemplate"];

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
}
