using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>The result of reading a file or a body: the valid definitions and every error found.</summary>
public sealed record SloParseResult(IReadOnlyList<SloDefinition> Definitions, IReadOnlyList<SloValidationError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Reads SLO files and API bodies. A file holds one or more YAML documents, each either a single SLO, a list of
/// SLOs, a mapping with an <c>slos:</c> list, or an OpenSLO v1 <c>SLO</c>/<c>SLI</c> document.
/// </summary>
public static class SloParser
{
    public static SloParseResult ParseFile(string path) => ParseYaml(File.ReadAllText(path), path);

    public static SloParseResult ParseYaml(string text, string fileName)
    {
        var errors = new List<SloValidationError>();
        var reader = new NodeReader(errors);
        var definitions = new List<SloDefinition>();
        var openSlo = new OpenSloImporter(reader, fileName);
        foreach (var document in YamlConfigReader.ReadDocuments(text, fileName, errors))
        {
            switch (document)
            {
                case ScalarNode { Value: null }:
                    break;
                case MapNode map when map.Get("apiVersion") is not null:
                    openSlo.Add(map);
                    break;
                case MapNode map when map.Get("slos") is { } list:
                    reader.RejectUnknown(map, "slos");
                    ReadList(list, fileName, reader, definitions);
                    break;
                case SequenceNode:
                    ReadList(document, fileName, reader, definitions);
                    break;
                default:
                    Add(SloDefinitionReader.Read(document, fileName, reader), definitions);
                    break;
            }
        }

        foreach (var definition in openSlo.Finish())
        {
            Add(definition, definitions);
        }

        CheckUniqueNames(definitions, fileName, errors);
        return new SloParseResult(definitions, errors);
    }

    /// <summary>
    /// Reads a JSON body for <c>PUT /api/v1/slos/{name}</c>; the body's <c>name</c> may be left out, and must
    /// otherwise equal the name in the path.
    /// </summary>
    public static SloParseResult ParseJson(string json, string name)
    {
        var errors = new List<SloValidationError>();
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
                errors.Add(new SloValidationError("", "$.name", $"'{given}' differs from the name in the path, '{name}'"));
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

    private static void ReadList(ConfigNode list, string fileName, NodeReader reader, List<SloDefinition> definitions)
    {
        if (list is not SequenceNode sequence)
        {
            reader.Error(list, $"expected a list of SLOs, found {list.Describe}");
            return;
        }

        foreach (var item in sequence.Items)
        {
            Add(SloDefinitionReader.Read(item, fileName, reader), definitions);
        }
    }

    private static void Add(SloDefinition? definition, List<SloDefinition> definitions)
    {
        if (definition is not null)
        {
            definitions.Add(definition);
        }
    }

    private static void CheckUniqueNames(List<SloDefinition> definitions, string fileName, List<SloValidationError> errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definitions.Count; i++)
        {
            if (!seen.Add(definitions[i].Name))
            {
                errors.Add(new SloValidationError(fileName, "name", $"'{definitions[i].Name}' is defined more than once"));
                definitions.RemoveAt(i--);
            }
        }
    }
}
