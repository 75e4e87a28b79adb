using SloMonitor.Otlp;

namespace SloMonitor.Slos.Selectors;

/// <summary>Tests compiled matchers against the event views; no allocation for string attributes.</summary>
internal static class SelectorMatch
{
    /// <summary>Matches on the span's UTF-8 bytes: nothing is decoded for equality matchers.</summary>
    public static bool Matches(LabelMatcher[] matchers, in SpanEvent span)
    {
        Span<byte> scratch = stackalloc byte[32];
        for (var i = 0; i < matchers.Length; i++)
        {
            var matcher = matchers[i];
            if (!span.TryGetAttributeUtf8(matcher.NameUtf8, scratch, out var value))
            {
                value = default;
            }

            if (!matcher.Matches(value))
            {
                return false;
            }
        }

        return true;
    }

    public static bool Matches(LabelMatcher[] matchers, in MetricPointEvent point)
    {
        for (var i = 0; i < matchers.Length; i++)
        {
            var matcher = matchers[i];
            if (!point.TryGetAttribute(matcher.Name, out var value))
            {
                value = string.Empty;
            }

            if (!matcher.Matches(value))
            {
                return false;
            }
        }

        return true;
    }
}
