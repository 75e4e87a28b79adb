using System.Text;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest.Tests.Support.Reference;

/// <summary>
/// The trace request read as ingest reads it now (<see cref="TraceRequest"/> in place, <see cref="OtlpIngestor"/>),
/// every event described by a sink through all three lookups (string, text, UTF-8), which must agree.
/// </summary>
internal static class InPlaceTraceReading
{
    public static string Read(byte[] bytes, IngestOptions options, TimeProvider time)
    {
        TraceRequest request;
        try
        {
            request = TraceRequest.Read(bytes, bytes.Length);
        }
        catch (Exception e)
        {
            return TraceOutcome.Refused(e);
        }

        var sink = new DescribingSink();
        using (request)
        {
            var result = new OtlpIngestor(sink, options, time).ApplyTraces(request);
            return TraceOutcome.Applied(result, sink.Output.ToString());
        }
    }

    private sealed class DescribingSink : ITelemetrySink
    {
        public StringBuilder Output { get; } = new();

        public void OnSpan(in SpanEvent span)
        {
            TraceOutcome.Span(
                Output, span.ServiceName, span.Name, span.Kind, span.StatusCode, span.StartTimeUnixNano, span.EndTimeUnixNano, span.DurationSeconds,
                span.ScopeName, span.TraceId, span.SpanId);
            Span<char> chars = stackalloc char[32];
            Span<byte> bytes = stackalloc byte[32];
            foreach (var key in TraceOutcome.Keys)
            {
                var found = span.TryGetAttribute(key, out var value);
                var asText = span.TryGetAttributeText(key, chars, out var text) ? text.ToString() : null;
                var asUtf8 = span.TryGetAttributeUtf8(Encoding.UTF8.GetBytes(key), bytes, out var utf8) ? Encoding.UTF8.GetString(utf8) : null;
                if (asText != (found ? value : null) || asUtf8 != (found ? value : null))
                {
                    Output.Append($"  {key}: the lookups disagree: '{value}' / '{asText}' / '{asUtf8}'\n");
                }

                TraceOutcome.Attribute(Output, key, found ? value : null);
            }
        }

        public void OnMetricPoint(in MetricPointEvent point)
        {
        }
    }
}
