using System.Text;

namespace SloMonitor.Slos.Selectors;

/// <summary>
/// Parses the Prometheus selector syntax on OpenTelemetry names (which may contain dots):
/// <c>metric.name{attr="v", other=~"re.*"}</c>, or for spans just <c>attr="v", other!~"x"</c> with or without
/// braces. Strings are double- or single-quoted with backslash escapes. Written here because the grammar is small.
/// </summary>
public static class SelectorParser
{
    /// <summary>Parses <paramref name="text"/>; on failure returns null and sets <paramref name="error"/>.</summary>
    public static Selector? TryParse(string text, bool allowMetricName, out string? error)
    {
        error = null;
        var reader = new Reader(text);
        reader.SkipSpaces();
        string? metricName = null;
        if (allowMetricName && reader.Peek() is not '{' && !reader.AtEnd)
        {
            var start = reader.Position;
            var name = reader.ReadName();
            reader.SkipSpaces();
            if (reader.Peek() is '=' or '!')
            {
                reader.Position = start;
            }
            else if (name.Length == 0)
            {
                error = $"expected a metric name or '{{' at position {start + 1}";
                return null;
            }
            else
            {
                metricName = name;
            }
        }

        var braced = reader.Peek() == '{';
        if (braced)
        {
            reader.Position++;
        }

        var matchers = new List<LabelMatcher>();
        while (true)
        {
            reader.SkipSpaces();
            if (reader.AtEnd || (braced && reader.Peek() == '}'))
            {
                break;
            }

            var matcher = ReadMatcher(reader, out error);
            if (matcher is null)
            {
                return null;
            }

            matchers.Add(matcher);
            reader.SkipSpaces();
            if (reader.Peek() == ',')
            {
                reader.Position++;
                continue;
            }

            if (reader.AtEnd || (braced && reader.Peek() == '}'))
            {
                break;
            }

            error = $"expected ',' after {matcher} at position {reader.Position + 1}";
            return null;
        }

        if (braced)
        {
            if (reader.Peek() != '}')
            {
                error = "missing closing '}'";
                return null;
            }

            reader.Position++;
        }

        reader.SkipSpaces();
        if (!reader.AtEnd)
        {
            error = $"unexpected '{reader.Peek()}' at position {reader.Position + 1}";
            return null;
        }

        if (allowMetricName && metricName is null)
        {
            error = "a metric name is required, e.g. 'http.server.request.duration{http.route=\"/pay\"}'";
            return null;
        }

        return new Selector(metricName, matchers);
    }

    private static LabelMatcher? ReadMatcher(Reader reader, out string? error)
    {
        error = null;
        var at = reader.Position + 1;
        var name = reader.ReadName();
        if (name.Length == 0)
        {
            error = $"expected an attribute name at position {at}";
            return null;
        }

        reader.SkipSpaces();
        MatchOperator op;
        if (reader.Take("=~"))
        {
            op = MatchOperator.Regex;
        }
        else if (reader.Take("!~"))
        {
            op = MatchOperator.NotRegex;
        }
        else if (reader.Take("!="))
        {
            op = MatchOperator.NotEqual;
        }
        else if (reader.Take("="))
        {
            op = MatchOperator.Equal;
        }
        else
        {
            error = $"expected one of = != =~ !~ after '{name}' at position {reader.Position + 1}";
            return null;
        }

        reader.SkipSpaces();
        var value = reader.ReadString(out error);
        if (value is null)
        {
            error = $"{error} for '{name}'";
            return null;
        }

        try
        {
            return new LabelMatcher(name, op, value);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            error = $"invalid regular expression for '{name}': {e.Message}";
            return null;
        }
    }

    private sealed class Reader(string text)
    {
        public int Position { get; set; }

        public bool AtEnd => Position >= text.Length;

        public char Peek() => AtEnd ? '\0' : text[Position];

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(text[Position]))
            {
                Position++;
            }
        }

        public bool Take(string token)
        {
            if (string.CompareOrdinal(text, Position, token, 0, token.Length) == 0)
            {
                Position += token.Length;
                return true;
            }

            return false;
        }

        public string ReadName()
        {
            var start = Position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(text[Position]) || text[Position] is '_' or '.' or ':' or '-' or '/'))
            {
                Position++;
            }

            return text[start..Position];
        }

        public string? ReadString(out string? error)
        {
            error = null;
            var quote = Peek();
            if (quote is not ('"' or '\'' or '`'))
            {
                error = $"expected a quoted value at position {Position + 1}";
                return null;
            }

            Position++;
            var value = new StringBuilder();
            while (!AtEnd)
            {
                var c = text[Position++];
                if (c == quote)
                {
                    return value.ToString();
                }

                if (c == '\\' && quote != '`' && !AtEnd)
                {
                    var next = text[Position++];
                    switch (next)
                    {
                        case 'n': value.Append('\n'); break;
                        case 't': value.Append('\t'); break;
                        case '\\' or '"' or '\'': value.Append(next); break;
                        default: value.Append('\\').Append(next); break;
                    }

                    continue;
                }

                value.Append(c);
            }

            error = "unterminated string";
            return null;
        }
    }
}
