using System.Text.RegularExpressions;

namespace SloMonitor.Alerting.Routing;

public enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One label matcher with Alertmanager's meaning: a missing label reads as the empty string, and regular
/// expressions are anchored at both ends.
/// </summary>
public sealed class Matcher
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);
    private readonly Regex? _regex;

    public Matcher(string name, MatchOperator op, string value)
    {
        if (string.IsNullOrWhiteSpace(name) || !IsLabelName(name))
        {
            throw new FormatException($"invalid label name '{name}'");
        }

        Name = name;
        Operator = op;
        Value = value;
        if (op is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            try
            {
                _regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"invalid regular expression '{value}': {ex.Message}", ex);
            }
        }
    }

    public string Name { get; }

    public MatchOperator Operator { get; }

    public string Value { get; }

    public bool IsRegex => Operator is MatchOperator.Regex or MatchOperator.NotRegex;

    public bool IsEqual => Operator is MatchOperator.Equal or MatchOperator.Regex;

    public static Matcher FromParts(string name, string value, bool isRegex, bool isEqual) =>
        new(name, (isRegex, isEqual) switch
        {
            (false, true) => MatchOperator.Equal,
            (false, false) => MatchOperator.NotEqual,
            (true, true) => MatchOperator.Regex,
            (true, false) => MatchOperator.NotRegex,
        }, value);

    /// <summary>Parses <c>name="value"</c>, <c>name!=value</c>, <c>name=~"re"</c>, <c>name!~"re"</c>.</summary>
    public static Matcher Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var index = trimmed.IndexOfAny(['=', '!']);
        if (index <= 0)
        {
            throw new FormatException($"'{text}' is not a matcher: expected name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\"");
        }

        var name = trimmed[..index].Trim();
        var rest = trimmed[index..];
        var (op, length) = rest switch
        {
            _ when rest.StartsWith("=~", StringComparison.Ordinal) => (MatchOperator.Regex, 2),
            _ when rest.StartsWith("!~", StringComparison.Ordinal) => (MatchOperator.NotRegex, 2),
            _ when rest.StartsWith("!=", StringComparison.Ordinal) => (MatchOperator.NotEqual, 2),
            _ when rest.StartsWith('=') => (MatchOperator.Equal, 1),
            _ => throw new FormatException($"'{text}' has no operator: use =, !=, =~ or !~"),
        };
        var value = rest[length..].Trim();
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
        {
            value = Regex.Unescape(value[1..^1]);
        }
        else if (value.Contains('"', StringComparison.Ordinal))
        {
            throw new FormatException($"'{text}' has an unbalanced quote");
        }

        return new Matcher(name, op, value);
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var actual = labels.TryGetValue(Name, out var value) ? value : string.Empty;
        return Operator switch
        {
            MatchOperator.Equal => actual == Value,
            MatchOperator.NotEqual => actual != Value,
            MatchOperator.Regex => _regex!.IsMatch(actual),
            _ => !_regex!.IsMatch(actual),
        };
    }

    public static bool MatchesAll(IReadOnlyList<Matcher> matchers, IReadOnlyDictionary<string, string> labels)
    {
        ArgumentNullException.ThrowIfNull(matchers);
        foreach (var matcher in matchers)
        {
            if (!matcher.Matches(labels))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString()
    {
        var op = Operator switch
        {
            MatchOperator.Equal => "=",
            MatchOperator.NotEqual => "!=",
            MatchOperator.Regex => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }

    private static bool IsLabelName(string name)
    {
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
