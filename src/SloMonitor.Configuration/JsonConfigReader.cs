using System.Globalization;
using System.Text.Json;

namespace SloMonitor.Configuration;

/// <summary>Reads a JSON body into the same node model as YAML, with JSON paths (<c>$.sli.threshold</c>).</summary>
internal static class JsonConfigReader
{
    /// <summary>The root node, its path <paramref name="path"/>; null after a syntax error, which is added to <paramref name="errors"/>.</summary>
    public static ConfigNode? Read(string json, List<ConfigError> errors, string path = "$")
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return Convert(document.RootElement, path);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1})") : "";
            errors.Add(new ConfigError("", path, "invalid JSON" + where + ": " + e.Message));
            return null;
        }
    }

    private static ConfigNode Convert(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var entries = new List<KeyValuePair<string, ConfigNode>>();
                foreach (var property in element.EnumerateObject())
                {
                    entries.Add(new(property.Name, Convert(property.Value, path + "." + property.Name)));
                }

                return new MapNode(path, "", entries);
            case JsonValueKind.Array:
                var items = new List<ConfigNode>();
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    items.Add(Convert(item, path + "[" + i.ToString(CultureInfo.InvariantCulture) + "]"));
                    i++;
                }

                return new SequenceNode(path, "", items);
            case JsonValueKind.String:
                return new ScalarNode(path, "", element.GetString(), true);
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return new ScalarNode(path, "", null, false);
            default:
                return new ScalarNode(path, "", element.GetRawText(), false);
        }
    }
}
