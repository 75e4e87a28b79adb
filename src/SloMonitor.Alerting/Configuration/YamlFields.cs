using System.Globalization;
using System.Text.RegularExpressions;
using SloMonitor.Alerting.Routing;
using YamlDotNet.RepresentationModel;

namespace SloMonitor.Alerting.Configuration;

/// <summary>Typed reads from YAML nodes; every error names the file, the line and the field path.</summary>
internal sealed partial class YamlFields(string file, Func<string, string?> environment)
{
    public AlertingConfigException Error(YamlNode node, string field, string message) =>
        new($"{file}:{node.Start.Line}: {field}: {message}");

    public YamlMappingNode Mapping(YamlNode node, string field) =>
        node as YamlMappingNode ?? throw Error(node, field, "expected a mapping");

    public void OnlyKeys(YamlMappingNode map, string field, params string[] allowed)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                throw Error(key, Join(field, name), $"unknown field; expected one of: {string.Join(", ", allowed)}");
            }
        }
    }

    public static YamlNode? Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public string? String(YamlMappingNode map, string key, string field, bool expand = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        if (node is not YamlScalarNode scalar)
        {
            throw Error(node, Join(field, key), "expected a string");
        }

        var value = scalar.Value ?? string.Empty;
        return expand ? Expand(value, node, Join(field, key)) : value;
    }

    public string RequiredString(YamlMappingNode map, string key, string field) =>
        String(map, key, field) is { Length: > 0 } value ? value : throw Error(map, Join(field, key), "is required");

    public TimeSpan? Duration(YamlMappingNode map, string key, string field, bool allowZero = false)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        var text = String(map, key, field)!;
        if (!DurationParser.TryParse(text, out var duration) || (!allowZero && duration <= TimeSpan.Zero))
        {
            throw Error(node, Join(field, key), $"'{text}' is not a positive duration such as 30s, 5m or 4h");
        }

        return duration;
    }

    public bool? Bool(YamlMappingNode map, string key, string field)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        return String(map, key, field) switch
        {
            "true" => true,
            "false" => false,
            var other => throw Error(node, Join(field, key), $"'{other}' is not true or false"),
        };
    }

    public int? Int(YamlMappingNode map, string key, string field)
    {
        var node = Get(map, key);
        if (node is null)
        {
            return null;
        }

        var text = String(map, key, field);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error(node, Join(field, key), $"'{text}' is not a non-negative integer");
    }

    public IEnumerable<(YamlNode Node, string Field)> Sequence(YamlMappingNode map, string key, string field)
    {
        var node = Get(map, key);
        if (node is null)
        {
            yield break;
        }

        if (node is not YamlSequenceNode sequence)
        {
            throw Error(node, Join(field, key), "expected a list");
        }

        var index = 0;
        foreach (var item in sequence.Children)
        {
            yield return (item, $"{Join(field, key)}[{index++}]");
        }
    }

    public List<string>? StringList(YamlMappingNode map, string key, string field)
    {
        if (Get(map, key) is null)
        {
            return null;
        }

        var result = new List<string>();
        foreach (var (node, itemField) in Sequence(map, key, field))
        {
            result.Add(node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(node, itemField, "expected a non-empty string"));
        }

        return result;
    }

    public List<Matcher> Matchers(YamlMappingNode map, string key, string field)
    {
        var result = new List<Matcher>();
        foreach (var (node, itemField) in Sequence(map, key, field))
        {
            if (node is not YamlScalarNode { Value: { } text })
            {
                throw Error(node, itemField, "expected a matcher string such as severity=\"page\"");
            }

            try
            {
                result.Add(Matcher.Parse(text));
            }
            catch (FormatException ex)
            {
                throw Error(node, itemField, ex.Message);
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="value"/> names an environment variable (<c>${NAME}</c> or <c>${env:NAME}</c>).</summary>
    public static bool RefersToEnvironment(string value) => EnvReference().IsMatch(value);

    /// <summary>Replaces <c>${NAME}</c> and <c>${env:NAME}</c> with the environment variable; a missing variable is an error.</summary>
    public string Expand(string value, YamlNode node, string field) =>
        EnvReference().Replace(value, match =>
            environment(match.Groups[1].Value) ?? throw Error(node, field, $"environment variable {match.Groups[1].Value} is not set"));

    /// <summary>Reads a secret from a file named in the configuration; the content never appears in errors.</summary>
    public string ReadSecretFile(YamlMappingNode map, string key, string field)
    {
        var path = String(map, key, field, expand: true)!;
        try
        {
            var content = File.ReadAllText(path).Trim();
            return content.Length > 0 ? content : throw Error(Get(map, key)!, Join(field, key), $"file '{path}' is empty");
        }
        catch (IOException ex)
        {
            throw Error(Get(map, key)!, Join(field, key), $"cannot read '{path}': {ex.GetType().Name}");
        }
        catch (UnauthorizedAccessException)
        {
            throw Error(Get(map, key)!, Join(field, key), $"cannot read '{path}': access denied");
        }
    }

    public static string Join(string field, string key) => field.Length == 0 ? key : field + "." + key;

    [GeneratedRegex(@"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex EnvReference();
}
