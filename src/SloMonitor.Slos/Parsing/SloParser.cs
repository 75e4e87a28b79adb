using SloMonitor.Configuration;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>
/// The result of reading a file or a body: the valid definitions and every error found. <see cref="Items"/> says
/// the same per SLO written (valid or not), for answers that report on each one.
/// </summary>
public sealed record SloParseResult(IReadOnlyList<SloDefinition> Definitions, IReadOnlyList<ConfigError> Errors)
{
    public bool IsValid => Errors.Count == 0;

    public IReadOnlyList<SloParsedItem> Items { get; init; } = [];
}

/// <summary>
/// One SLO as written: its name when one could be read, where it starts (<c>file:line:column</c>, or the JSON
/// path), the definition when valid and its errors otherwise. Errors outside any SLO (a YAML syntax error) come as
/// an item without a name.
/// </summary>
public sealed record SloParsedItem(string? Name, string Location, SloDefinition? Definition, IReadOnlyList<ConfigError> Errors);

/// <summary>
/// Reads SLO files and API bodies. A file holds one or more YAML documents, each either a single SLO, a list of
/// SLOs, a mapping with an <c>slos:</c> list, or an OpenSLO v1 <c>SLO</c>/<c>SLI</c> document.
/// </summary>
public static class SloParser
{
    public static SloParseResult ParseFile(string path) => ParseYaml(File.ReadAllText(path), path);

    public static SloParseResult ParseYaml(string text, string fileName)
    {
        var errors = new List<ConfigError>();
        var reader = new NodeReader(errors);
        var items = new ParsedItems(errors);
        var openSlo = new OpenSloImporter(reader, fileName);
        var documents = YamlConfigReader.ReadDocuments(text, fileName, errors);
        items.AddLoose();
        foreach (var document in documents)
        {
            switch (document)
            {
                case ScalarNode { Value: null }:
                    break;
                case MapNode map when map.Get("apiVersion") is not null:
                    openSlo.Add(map);
                    items.AddLoose();
                    break;
                case MapNode map when map.Get("slos") is { } list:
                    reader.RejectUnknown(map, "slos", "services");
                    var policies = ServicePolicies(map, reader);
                    items.AddLoose();
                    ReadList(list, fileName, reader, items, policies);
                    break;
                case SequenceNode:
                    ReadList(document, fileName, reader, items);
                    break;
                default:
                    items.Add(document, SloDefinitionReader.Read(document, fileName, reader));
                    break;
            }
        }

        foreach (var (document, definition) in openSlo.Finish())
        {
            items.Add(document, definition, OpenSloImporter.NameOf(document));
        }

        return items.Result(fileName);
    }

    /// <summary>
    /// Reads a JSON list of definitions (the <c>slos</c> of a bulk apply); errors carry JSON paths under
    /// <paramref name="path"/>, e.g. <c>$.slos[2].objective</c>.
    /// </summary>
    public static SloParseResult ParseJsonList(string json, string path)
    {
        var errors = new List<ConfigError>();
        var reader = new NodeReader(errors);
        var items = new ParsedItems(errors);
        var root = JsonConfigReader.Read(json, errors, path);
        items.AddLoose();
        if (root is not null)
        {
            ReadList(root, SloDefinition.ApiOrigin, reader, items);
        }

        return items.Result("");
    }

    /// <summary>
    /// Reads a JSON body for <c>PUT /api/v1/slos/{name}</c>; the body's <c>name</c> may be left out, and must
    /// otherwise equal the name in the path.
    /// </summary>
    public static SloParseResult ParseJson(string json, string name)
    {
        var errors = new List<ConfigError>();
        var root = JsonConfigReader.Read(json, errors);
        if (root is null)
        {
            return new SloParseResult([], errors);
        }

        if (root is MapNode map)
        {
            var bodyName = map.Get("name");
            if (bodyName is ScalarNode { Value: { } given } && given != name)
            {
                errors.Add(new ConfigError("", "$.name", $"'{given}' differs from the name in the path, '{name}'"));
                return new SloParseResult([], errors);
            }

            if (bodyName is null)
            {
                var entries = new List<KeyValuePair<string, ConfigNode>>(map.Entries) { new("name", new ScalarNode("$.name", "", name, true)) };
                root = new MapNode(map.Path, map.Location, entries);
            }
        }

        var definition = SloDefinitionReader.Read(root, SloDefinition.ApiOrigin, new NodeReader(errors));
        return new SloParseResult(definition is null ? [] : [definition], errors);
    }

    /// <summary>
    /// <c>services: {checkout: {policy: {freezeBelow: 0.2}}}</c> beside <c>slos:</c>: the release policy of every SLO of
    /// that service in the document that has none of its own.
    /// </summary>
    private static Dictionary<string, ReleasePolicy> ServicePolicies(MapNode document, NodeReader reader)
    {
        var policies = new Dictionary<string, ReleasePolicy>(StringComparer.Ordinal);
        if (reader.Map(document.Get("services")) is not { } services)
        {
            return policies;
        }

        foreach (var (service, node) in services.Entries)
        {
            if (reader.Map(node) is not { } entry)
            {
                continue;
            }

            reader.RejectUnknown(entry, "policy");
            if (SloDefinitionReader.ReadPolicy(reader.Map(entry.Get("policy")), reader) is { } policy)
            {
                policies[service] = policy;
            }
        }

        return policies;
    }

    private static void ReadList(ConfigNode list, string origin, NodeReader reader, ParsedItems items, Dictionary<string, ReleasePolicy>? policies = null)
    {
        if (list is not SequenceNode sequence)
        {
            reader.Error(list, $"expected a list of SLOs, found {list.Describe}");
            items.AddLoose();
            return;
        }

        foreach (var item in sequence.Items)
        {
            var definition = SloDefinitionReader.Read(item, origin, reader);
            if (definition is { Policy: null } && policies?.GetValueOrDefault(definition.Service) is { } policy)
            {
                definition = definition with { Policy = policy };
            }

            items.Add(item, definition);
        }
    }
}
