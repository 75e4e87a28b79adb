namespace SloMonitor.Configuration;

/// <summary>
/// A YAML or JSON value with where it was written, so that errors can name the file, line and field, or the
/// JSON path. <see cref="Location"/> is <c>file:line:column</c> for YAML and empty for JSON.
/// </summary>
internal abstract class ConfigNode(string path, string location)
{
    /// <summary>The field path: <c>slos[0].sli.threshold</c> in YAML, <c>$.sli.threshold</c> in JSON.</summary>
    public string Path { get; } = path;

    public string Location { get; } = location;

    public abstract string Describe { get; }
}

internal sealed class ScalarNode(string path, string location, string? value, bool isString) : ConfigNode(path, location)
{
    /// <summary>The text of the scalar; null for YAML <c>~</c>/<c>null</c> and JSON <c>null</c>.</summary>
    public string? Value { get; } = value;

    /// <summary>True for quoted YAML scalars and JSON strings.</summary>
    public bool IsString { get; } = isString;

    public override string Describe => Value is null ? "null" : $"'{Value}'";
}

/// <summary>A mapping in the order written; <paramref name="keyLocations"/> says where each key was written (YAML only).</summary>
internal sealed class MapNode(string path, string location, IReadOnlyList<KeyValuePair<string, ConfigNode>> entries, IReadOnlyList<string>? keyLocations = null)
    : ConfigNode(path, location)
{
    public IReadOnlyList<KeyValuePair<string, ConfigNode>> Entries { get; } = entries;

    /// <summary>Where the key of entry <paramref name="index"/> was written; its value's location when unknown (JSON).</summary>
    public string KeyLocation(int index) => keyLocations is { } locations ? locations[index] : Entries[index].Value.Location;

    public override string Describe => "a mapping";

    public ConfigNode? Get(string key)
    {
        foreach (var entry in Entries)
        {
            if (entry.Key == key)
            {
                return entry.Value;
            }
        }

        return null;
    }
}

internal sealed class SequenceNode(string path, string location, IReadOnlyList<ConfigNode> items) : ConfigNode(path, location)
{
    public IReadOnlyList<ConfigNode> Items { get; } = items;

    public override string Describe => "a list";
}
