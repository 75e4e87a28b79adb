using System.Buffers;
using System.Globalization;
using System.Text;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Trace;
using SloMonitor.Otlp.Common;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Ingest.Tests.Support.Reference;

/// <summary>
/// How ingest read a trace request before it read requests in place: Google.Protobuf parses the message (plus the
/// wire-type check), then each span is validated and its attributes looked up in the message types. The oracle the
/// in-place reader is compared with, field by field, over the same bytes.
/// </summary>
internal static class MessageTraceReading
{
    public static string Read(byte[] bytes, IngestOptions options, TimeProvider time)
    {
        ExportTraceServiceRequest request;
        try
        {
            request = ProtobufDecoder.Decode(ExportTraceServiceRequest.Parser, ExportTraceServiceRequest.Descriptor, new ReadOnlySequence<byte>(bytes));
        }
        catch (Exception e)
        {
            return TraceOutcome.Refused(e);
        }

        var clock = new EventClock(time, options);
        var tally = new ApplyTally();
        var spans = new StringBuilder();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resourceAttributes = resourceSpans.Resource?.Attributes;
            var serviceName = AttributeText.FindString(resourceAttributes, "service.name");
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                if (serviceName is null)
                {
                    tally.Reject(scopeSpans.Spans.Count, "resource has no service.name attribute (a non-empty string); its spans are rejected");
                    continue;
                }

                foreach (var span in scopeSpans.Spans)
                {
                    var problem = Problem(span, clock, options.MaxAttributesPerItem);
                    if (problem is null)
                    {
                        Describe(spans, span, serviceName, scopeSpans.Scope?.Name, resourceAttributes);
                        tally.Accepted++;
                    }
                    else
                    {
                        tally.Reject($"span '{span.Name}': {problem}");
                    }
                }
            }
        }

        return TraceOutcome.Applied(tally.ToResult(), spans.ToString());
    }

    private static string? Problem(Span span, EventClock clock, int maxAttributes) =>
        span.StartTimeUnixNano == 0
            ? "start_time_unix_nano is missing"
            : span.EndTimeUnixNano < span.StartTimeUnixNano
                ? "end_time_unix_nano is before start_time_unix_nano"
                : clock.Check(span.EndTimeUnixNano, "end_time_unix_nano")
                    ?? (span.Attributes.Count > maxAttributes
                        ? string.Create(CultureInfo.InvariantCulture, $"has {span.Attributes.Count} attributes, more than the limit {maxAttributes}")
                        : null);

    private static void Describe(StringBuilder output, Span span, string serviceName, string? scopeName, Google.Protobuf.Collections.RepeatedField<KeyValue>? resourceAttributes)
    {
        var kind = (SpanKind)span.Kind;
        var status = span.Status is null ? SpanStatusCode.Unset : (SpanStatusCode)span.Status.Code;
        TraceOutcome.Span(
            output, serviceName, span.Name, kind, status, (long)span.StartTimeUnixNano, (long)span.EndTimeUnixNano, (span.EndTimeUnixNano - span.StartTimeUnixNano) / 1e9,
            scopeName, span.TraceId.Span, span.SpanId.Span);
        foreach (var key in TraceOutcome.Keys)
        {
            string? value = key switch
            {
                "service.name" => serviceName,
                "span.name" => span.Name,
                "span.kind" => AttributeText.Of(kind),
                "status.code" => AttributeText.Of(status),
                _ => AttributeText.TryFind(span.Attributes, key, out var found) || AttributeText.TryFind(resourceAttributes, key, out found) ? found : null,
            };
            TraceOutcome.Attribute(output, key, value);
        }
    }
}
