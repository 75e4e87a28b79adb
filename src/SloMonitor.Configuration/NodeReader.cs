using System.Globalization;

namespace SloMonitor.Configuration;

/// <summary>
/// Typed reads of node fields that collect errors naming the file, line and field instead of throwing at the first:
/// a reader of the SLO files and bodies and of the routing file alike. A read that fails adds its error and returns
/// null (or an empty value), so that the caller goes on and every problem of a file is reported at once.
/// </summary>
internal sealed class NodeReader(List<ConfigError> errors)
{
    public List<ConfigError> Errors { get; } = errors;

    public void Error(ConfigNode node, string message) => Errors.Add(new ConfigError(node.Location, node.Path, message));

    public void Error(MapNode parent, string field, string message) =>
        Errors.Add(new ConfigError(parent.Location, Join(parent.Path, field), message));

    public static string Join(string path, string field) => path.Length == 0 ? field : path + "." + field;

    /// <summary>An error about the key of entry <paramref name="index"/> of <paramref name="map"/> (its name, say), where the key is written.</summary>
    public void KeyError(MapNode map, int index, string message) =>
        Errors.Add(new ConfigError(map.KeyLocation(index), map.Entries[index].Value.Path, message));

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="known"/>, where it is written, catching typos.</summary>
    public void RejectUnknown(MapNode map, params string[] known)
    {
        for (var i = 0; i < map.Entries.Count; i++)
        {
            var key = map.Entries[i].Key;
            if (Array.IndexOf(known, key) < 0)
            {
                KeyError(map, i, $"unknown field '{key}' (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    /// <summary>
    /// The mapping <paramref name="node"/> is; null without an error when it is absent or null, unless
    /// <paramref name="required"/> (a list item, say, that must be a mapping).
    /// </summary>
    public MapNode? Map(ConfigNode? node, bool required = false)
    {
        if (node is null || node is ScalarNode { Value: null })
        {
            if (required && node is not null)
            {
                Error(node, "expected a mapping, found null");
            }

            return null;
        }

        if (node is MapNode map)
        {
            return map;
        }

        Error(node, $"expected a mapping, found {node.Describe}");
        return null;
    }

    public string? String(MapNode map, string field, bool required = false)
    {
        var node = map.Get(field);
        if (node is null || node is ScalarNode { Value: null })
        {
            if (required)
            {
                Error(map, field, "is required");
            }

            return null;
        }

        if (node is ScalarNode scalar)
        {
            if (required && string.IsNullOrWhiteSpace(scalar.Value))
            {
                Error(node, "must not be empty");
                return null;
            }

            return scalar.Value;
        }

        Error(node, $"expected a string, found {node.Describe}");
        return null;
    }

    public double? Number(MapNode map, string field, bool required = false)
    {
        var text = String(map, field, required);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Error(map.Get(field)!, $"expected a number, found '{text}'");
        return null;
    }

    public int? Integer(MapNode map, string field, int min)
    {
        var text = String(map, field);
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min)
        {
            return value;
        }

        Error(map.Get(field)!, $"expected a whole number ≥ {min}, found '{text}'");
        return null;
    }

    /// <summary><c>true</c> or <c>false</c>; null when absent or after an error.</summary>
    public bool? Bool(MapNode map, string field)
    {
        var text = String(map, field);
        switch (text)
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            default:
                Error(map.Get(field)!, $"expected true or false, found '{text}'");
                return null;
        }
    }

    /// <summary>The items of the list <paramref name="field"/>; empty when absent, null or not a list (an error).</summary>
    public IReadOnlyList<ConfigNode> Sequence(MapNode map, string field)
    {
        var node = map.Get(field);
        if (node is null || node is ScalarNode { Value: null })
        {
            return [];
        }

        if (node is SequenceNode sequence)
        {
            return sequence.Items;
        }

        Error(node, $"expected a list, found {node.Describe}");
        return [];
    }

    public IReadOnlyList<string> StringList(MapNode map, string field)
    {
        var node = map.Get(field);
        if (node is null || node is ScalarNode { Value: null })
        {
            return [];
        }

        if (node is ScalarNode { Value: { } single })
        {
            return [single];
        }

        if (node is not SequenceNode sequence)
        {
            Error(node, $"expected a list of strings, found {node.Describe}");
            return [];
        }

        var list = new List<string>();
        foreach (var item in sequence.Items)
        {
            if (item is ScalarNode { Value: { Length: > 0 } text })
            {
                list.Add(text);
            }
            else
            {
                Error(item, $"expected a non-empty string, found {item.Describe}");
            }
        }

        return list;
    }

    public IReadOnlyDictionary<string, string> StringMap(MapNode map, string field)
    {
        var node = map.Get(field);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node is null || node is ScalarNode { Value: null })
        {
            return result;
        }

        if (node is not MapNode labels)
        {
            Error(node, $"expected a mapping of names to strings, found {node.Describe}");
            return result;
        }

        foreach (var entry in labels.Entries)
        {
            if (entry.Value is ScalarNode { Value: { } value })
            {
                result[entry.Key] = value;
            }
            else
            {
                Error(entry.Value, $"expected a string, found {entry.Value.Describe}");
            }
        }

        return result;
    }
}
