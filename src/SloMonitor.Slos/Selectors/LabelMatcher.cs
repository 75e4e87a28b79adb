using System.Text.RegularExpressions;

namespace SloMonitor.Slos.Selectors;

public enum MatchOperator
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One Prometheus matcher on an OpenTelemetry attribute: <c>http.route=~"/api/.*"</c>. As in Prometheus, a
/// missing attribute matches as the empty string and regexes are fully anchored.
/// </summary>
public sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(string name, MatchOperator op, string value)
    {
        Name = name;
        Operator = op;
        Value = value;
        if (op is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            // Linear-time matching, like the RE2 engine Prometheus uses: no backtracking blow-up and no timeout to
            // hit on the ingest path (constructs RE2 lacks, such as back-references, are rejected here too).
            _regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking);
        }
    }

    public string Name { get; }

    public MatchOperator Operator { get; }

    public string Value { get; }

    /// <summary>Tests the attribute's value; pass the empty string when the attribute is absent.</summary>
    public bool Matches(string value) => Operator switch
    {
        MatchOperator.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchOperator.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchOperator.Regex => _regex!.IsMatch(value),
        _ => !_regex!.IsMatch(value),
    };

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
}
