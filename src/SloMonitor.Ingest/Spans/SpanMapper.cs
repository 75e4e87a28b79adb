using System.Globalization;
using SloMonitor.Ingest.Otlp.Trace;

namespace SloMonitor.Ingest;

/// <summary>
/// Turns the spans of one resource into <see cref="SpanEvent"/>s: a span is a view, so nothing is copied or
/// allocated per attribute. Unusable spans are counted as rejected with the first problem named.
/// </summary>
internal readonly struct SpanMapper(ITelemetrySink sink, int maxAttributes, EventClock clock)
{
    public void Apply(ResourceSpans resourceSpans, ref ApplyTally tally)
    {
        var resourceAttributes = resourceSpans.Resource?.Attributes;
        var serviceName = AttributeText.FindString(resourceAttributes, "service.name");
        foreach (var scopeSpans in resourceSpans.ScopeSpans)
        {
            var spans = scopeSpans.Spans;
            if (serviceName is null)
            {
                tally.Reject(spans.Count, "resource has no service.name attribute (a non-empty string); its spans are rejected");
                continue;
            }

            var scopeName = scopeSpans.Scope?.Name;
            for (var i = 0; i < spans.Count; i++)
            {
                var span = spans[i];
                if (IsUsable(span))
                {
                    sink.OnSpan(new SpanEvent(span, serviceName, scopeName, resourceAttributes));
                    tally.Accepted++;
                }
                else
                {
                    tally.Reject(Describe(span));
                }
            }
        }
    }

    private bool IsUsable(Span span) =>
        span.StartTimeUnixNano != 0
        && span.EndTimeUnixNano >= span.StartTimeUnixNano
        && clock.InRange(span.EndTimeUnixNano)
        && span.Attributes.Count <= maxAttributes;

    // Only called for the rejected spans, so the message costs nothing on the accepted path.
    private string Describe(Span span)
    {
        var problem = span.StartTimeUnixNano == 0
            ? "start_time_unix_nano is missing"
            : span.EndTimeUnixNano < span.StartTimeUnixNano
                ? "end_time_unix_nano is before start_time_unix_nano"
                : clock.Check(span.EndTimeUnixNano, "end_time_unix_nano")
                    ?? string.Create(CultureInfo.InvariantCulture, $"has {span.Attributes.Count} attributes, more than the limit {maxAttributes}");
        return $"span '{span.Name}': {problem}";
    }
}
