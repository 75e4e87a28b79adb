using System.Text.RegularExpressions;
using SloMonitor.Alerting.Routing;
using SloMonitor.Configuration;

namespace SloMonitor.Alerting.Configuration;

/// <summary>
/// The reads of routing-file fields beyond the shared ones of <see cref="NodeReader"/>: durations as Prometheus
/// writes them, matchers, environment references and secret files. Like the shared reads, each failed read adds an
/// error naming the file, the line and the field, and returns null (or what it could read), so that every problem
/// of the file is reported at once.
/// </summary>
internal sealed partial class RoutingFields(NodeReader reader, Func<string, string?> environment)
{
    public NodeReader Reader { get; } = reader;

    public TimeSpan? Duration(MapNode map, string key, bool allowZero = false)
    {
        var text = Reader.String(map, key);
        if (text is null)
        {
            return null;
        }

        if (!DurationParser.TryParse(text, out var duration) || (!allowZero && duration <= TimeSpan.Zero))
        {
            Reader.Error(map.Get(key)!, $"'{text}' is not a positive duration such as 30s, 5m or 4h");
            return null;
        }

        return duration;
    }

    /// <summary>The matchers of the list <paramref name="key"/>; each that does not parse is an error of its own.</summary>
    public List<Matcher> Matchers(MapNode map, string key)
    {
        var result = new List<Matcher>();
        foreach (var node in Reader.Sequence(map, key))
        {
            if (node is not ScalarNode { Value: { } text })
            {
                Reader.Error(node, "expected a matcher string such as severity=\"page\"");
                continue;
            }

            try
            {
                result.Add(Matcher.Parse(text));
            }
            catch (FormatException ex)
            {
                Reader.Error(node, ex.Message);
            }
        }

        return result;
    }

    /// <summary>True when <paramref name="value"/> names an environment variable (<c>${NAME}</c> or <c>${env:NAME}</c>).</summary>
    public static bool RefersToEnvironment(string value) => EnvReference().IsMatch(value);

    /// <summary>
    /// Replaces <c>${NAME}</c> and <c>${env:NAME}</c> with the environment variable; a variable that is not set is an
    /// error of <paramref name="node"/> (and null is returned).
    /// </summary>
    public string? Expand(string value, ConfigNode node)
    {
        var missing = false;
        var expanded = EnvReference().Replace(value, match =>
        {
            if (environment(match.Groups[1].Value) is { } found)
            {
                return found;
            }

            Reader.Error(node, $"environment variable {match.Groups[1].Value} is not set");
            missing = true;
            return match.Value;
        });
        return missing ? null : expanded;
    }

    /// <summary>A string field with its environment references replaced; null when absent or after an error.</summary>
    public string? ExpandedString(MapNode map, string key) =>
        Reader.String(map, key) is { } raw ? Expand(raw, map.Get(key)!) : null;

    /// <summary>Reads a secret from a file named in the configuration; the content never appears in errors.</summary>
    public string? ReadSecretFile(MapNode map, string key)
    {
        var path = ExpandedString(map, key);
        if (path is null)
        {
            return null;
        }

        var node = map.Get(key)!;
        if (string.IsNullOrWhiteSpace(path))
        {
            Reader.Error(node, "must name a file");
            return null;
        }

        try
        {
            var content = File.ReadAllText(path).Trim();
            if (content.Length > 0)
            {
                return content;
            }

            Reader.Error(node, $"file '{path}' is empty");
        }
        catch (IOException ex)
        {
            Reader.Error(node, $"cannot read '{path}': {ex.GetType().Name}");
        }
        catch (UnauthorizedAccessException)
        {
            Reader.Error(node, $"cannot read '{path}': access denied");
        }

        return null;
    }

    [GeneratedRegex(@"\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex EnvReference();
}
