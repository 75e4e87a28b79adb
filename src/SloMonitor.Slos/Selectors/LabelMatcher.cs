using System.Collections.Concurrent;
using System.Text;
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
/// <remarks>
/// A regex matcher remembers its answer for the first <see cref="RememberedValues"/> distinct values it sees
/// (routes, status codes and the like have few). Ingest threads then read the answer from a lock-free dictionary
/// and do not share the <see cref="Regex"/>. Threads matching on one <see cref="Regex"/> instance at once each build
/// a runner of their own, which allocates on every call and stops two cores from scaling. Values beyond the limit
/// are matched by the regex each time.
/// </remarks>
public sealed class LabelMatcher
{
    /// <summary>How many distinct values a regex matcher remembers its answer for.</summary>
    public const int RememberedValues = 1024;

    private const int MaxStackChars = 256;

    private readonly byte[] _valueUtf8;
    private readonly Regex? _regex;
    private readonly ConcurrentDictionary<string, bool>? _remembered;
    private int _rememberedCount;

    public LabelMatcher(string name, MatchOperator op, string value)
    {
        Name = name;
        Operator = op;
        Value = value;
        NameUtf8 = Encoding.UTF8.GetBytes(name);
        _valueUtf8 = Encoding.UTF8.GetBytes(value);
        if (op is MatchOperator.Regex or MatchOperator.NotRegex)
        {
            // Linear-time matching, like the RE2 engine Prometheus uses: no backtracking blow-up and no timeout to
            // hit on the ingest path (constructs RE2 lacks, such as back-references, are rejected here too).
            _regex = new Regex("^(?:" + value + ")$", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking);
            _remembered = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        }
    }

    public string Name { get; }

    /// <summary><see cref="Name"/> in UTF-8, to look attributes up in a request's bytes.</summary>
    internal byte[] NameUtf8 { get; }

    public MatchOperator Operator { get; }

    public string Value { get; }

    /// <summary>Tests the attribute's value; pass the empty string when the attribute is absent.</summary>
    public bool Matches(string value) => Operator switch
    {
        MatchOperator.Equal => string.Equals(value, Value, StringComparison.Ordinal),
        MatchOperator.NotEqual => !string.Equals(value, Value, StringComparison.Ordinal),
        MatchOperator.Regex => RegexMatches(value),
        _ => !RegexMatches(value),
    };

    /// <summary>
    /// Tests a UTF-8 value (a slice of the request; empty when the attribute is absent): equality compares bytes, a
    /// regex decodes the value on the stack and asks the remembered answers before the regex.
    /// </summary>
    public bool Matches(ReadOnlySpan<byte> utf8) => Operator switch
    {
        MatchOperator.Equal => utf8.SequenceEqual(_valueUtf8),
        MatchOperator.NotEqual => !utf8.SequenceEqual(_valueUtf8),
        MatchOperator.Regex => RegexMatches(utf8),
        _ => !RegexMatches(utf8),
    };

    private bool RegexMatches(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxStackChars)
        {
            return RegexMatches(Encoding.UTF8.GetString(utf8).AsSpan());
        }

        Span<char> chars = stackalloc char[MaxStackChars];
        return RegexMatches(chars[..Encoding.UTF8.GetChars(utf8, chars)]);
    }

    /// <summary>The regex's answer for <paramref name="value"/>, from the remembered answers when it was asked before.</summary>
    private bool RegexMatches(ReadOnlySpan<char> value)
    {
        var remembered = _remembered!.GetAlternateLookup<ReadOnlySpan<char>>();
        if (remembered.TryGetValue(value, out var matched))
        {
            return matched;
        }

        matched = _regex!.IsMatch(value);
        if (Volatile.Read(ref _rememberedCount) < RememberedValues && remembered.TryAdd(value, matched))
        {
            Interlocked.Increment(ref _rememberedCount);
        }

        return matched;
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
}
