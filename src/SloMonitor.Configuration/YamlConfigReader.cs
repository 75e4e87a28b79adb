using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SloMonitor.Configuration;

/// <summary>Reads YAML documents with YamlDotNet and keeps each node's line and column for error messages.</summary>
internal static class YamlConfigReader
{
    /// <summary>Every document of <paramref name="text"/>; a syntax error becomes one error naming its line.</summary>
    public static IReadOnlyList<ConfigNode> ReadDocuments(string text, string fileName, List<ConfigError> errors)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigError(Where(fileName, e.Start), "", "invalid YAML: " + (e.InnerException?.Message ?? e.Message)));
            return [];
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner and node loader fail this way on some malformed input, e.g. a flow collection cut by a
            // newline before a plain scalar (found by fuzzing).
            errors.Add(new ConfigError(fileName, "", $"invalid YAML: its structure cannot be read ({e.Message})"));
            return [];
        }

        var documents = new List<ConfigNode>(stream.Documents.Count);
        foreach (var document in stream.Documents)
        {
            documents.Add(Convert(document.RootNode, "", fileName));
        }

        return documents;
    }

    private static ConfigNode Convert(YamlNode node, string path, string fileName)
    {
        var location = Where(fileName, node.Start);
        switch (node)
        {
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<string, ConfigNode>>(map.Children.Count);
                var keyLocations = new List<string>(map.Children.Count);
                foreach (var (key, value) in map.Children)
                {
                    var name = key is YamlScalarNode scalarKey ? scalarKey.Value ?? "" : key.ToString();
                    entries.Add(new(name, Convert(value, path.Length == 0 ? name : path + "." + name, fileName)));
                    keyLocations.Add(Where(fileName, key.Start));
                }

                return new MapNode(path, location, entries, keyLocations);
            case YamlSequenceNode sequence:
                var items = new List<ConfigNode>(sequence.Children.Count);
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    items.Add(Convert(sequence.Children[i], path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]", fileName));
                }

                return new SequenceNode(path, location, items);
            case YamlScalarNode scalar:
                var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
                var isNull = !quoted && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
                return new ScalarNode(path, location, isNull ? null : scalar.Value, quoted);
            default:
                return new ScalarNode(path, location, null, false);
        }
    }

    private static string Where(string fileName, Mark mark) =>
        string.Create(CultureInfo.InvariantCulture, $"{fileName}:{mark.Line}:{mark.Column}");
}
