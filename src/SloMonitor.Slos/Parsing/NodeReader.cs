using System.Globalization;
using SloMonitor.Slos.Definitions;

namespace SloMonitor.Slos.Parsing;

/// <summary>Typed reads of node fields that collect errors naming the field instead of throwing at the first.</summary>
internal sealed class NodeReader(List<SloValidationError> errors)
{
    public List<SloValidationError> Errors { get; } = errors;

    public void Error(ConfigNode node, string message) => Errors.Add(new SloValidationError(node.Location, node.Path, message));

    public void Error(MapNode parent, string field, string message) =>
        Errors.Add(new SloValidationError(parent.Location, Join(parent.Path, field), message));

    public static string Join(string path, string field) => path.Length == 0 ? field : path + "." + field;

    /// <summary>Reports every key of <paramref name="map"/> not in <paramref name="known"/>, catching typos.</summary>
    public void RejectUnknown(MapNode map, params string[] known)
    {
        foreach (var entry in map.Entries)
        {
            if (Array.IndexOf(known, entry.Key) < 0)
            {
                Error(entry.Value, $"unknown field '{entry.Key}' (expected one of: {string.Join(", ", known)})");
            }
        }
    }

    public MapNode? Map(ConfigNode? node)
    {
        if (node is null || node is ScalarNode { Value: null })
        {
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

    public TimeSpan? Duration(MapNode map, string field, TimeSpan min, TimeSpan max)
    {
        var text = String(map, field);
        if (text is null)
        {
            return null;
        }

        if (!DurationText.TryParse(text, out var value))
        {
            Error(map.Get(field)!, $"expected a duration such as 300ms, 5m, 1h or 30d, found '{text}'");
            return null;
        }

        if (value < min || value > max)
        {
            Error(map.Get(field)!, $"must be between {DurationText.Format(min)} and {DurationText.Format(max)}, found '{text}'");
            return null;
        }

        return value;
    }

    /// <summary>A latency: a duration (<c>300ms</c>) or a plain number of seconds.</summary>
    public double? Seconds(MapNode map, string field, bool required)
    {
        var node = map.Get(field);
        var text = String(map, field, required);
        if (text is null)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && double.IsFinite(seconds) && seconds > 0)
        {
            return seconds;
        }

        if (DurationText.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value.TotalSeconds;
        }

        Error(node!, $"expected a positive duration such as 300ms or a number of seconds, found '{text}'");
        return null;
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
