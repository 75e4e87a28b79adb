using System.Globalization;
using System.Text;
using SloMonitor.Otlp;

namespace SloMonitor.Ingest;

/// <summary>
/// Walks a <see cref="TraceRequest"/> in place (resource spans, scope spans, spans) and turns each usable span into a
/// <see cref="SpanEvent"/> over the request's bytes: a string is made once per resource (its service name) and per
/// scope (its name), nothing per span or attribute. Unusable spans are counted as rejected with the first problem
/// named.
/// </summary>
internal readonly struct SpanMapper(ITelemetrySink sink, int maxAttributes, EventClock clock)
{
    public void Apply(TraceRequest request, ref ApplyTally tally)
    {
        var buffer = request.Span;
        var reader = new WireReader(buffer, new WireSlice(0, buffer.Length));
        while (reader.Next(out var field, out var wireType))
        {
            if (field == TraceFields.RequestResourceSpans)
            {
                ApplyResource(request.Buffer, reader.Bytes(), ref tally);
            }
            else
            {
                reader.Skip(wireType);
            }
        }
    }

    private void ApplyResource(byte[] array, WireSlice resourceSpans, ref ApplyTally tally)
    {
        ReadOnlySpan<byte> buffer = array;
        var serviceSlice = default(WireSlice);
        string? serviceName = null;
        if (WireAttributes.TryFindInResource(buffer, resourceSpans, "service.name"u8, out var keyValue)
            && WireValue.Of(buffer, keyValue) is { IsNonEmptyString: true } value)
        {
            serviceSlice = value.StringBytes;
            serviceName = Encoding.UTF8.GetString(serviceSlice.Of(buffer));
        }

        var reader = new WireReader(buffer, resourceSpans);
        while (reader.Next(out var field, out var wireType))
        {
            if (field != TraceFields.ResourceSpansScopeSpans)
            {
                reader.Skip(wireType);
                continue;
            }

            var scopeSpans = reader.Bytes();
            if (serviceName is null)
            {
                tally.Reject(TraceRequest.CountField(buffer, scopeSpans, TraceFields.ScopeSpansSpans), "resource has no service.name attribute (a non-empty string); its spans are rejected");
                continue;
            }

            var scopeName = ScopeNameOf(buffer, scopeSpans);
            var spans = new WireReader(buffer, scopeSpans);
            while (spans.Next(out field, out wireType))
            {
                if (field != TraceFields.ScopeSpansSpans)
                {
                    spans.Skip(wireType);
                    continue;
                }

                var span = SpanFields.Read(buffer, spans.Bytes());
                if (IsUsable(span))
                {
                    sink.OnSpan(new SpanEvent(array, span, serviceName, serviceSlice, scopeName, resourceSpans));
                    tally.Accepted++;
                }
                else
                {
                    tally.Reject(Describe(buffer, span));
                }
            }
        }
    }

    /// <summary>The scope's name: null without a scope, as the message-based reading had it.</summary>
    private static string? ScopeNameOf(ReadOnlySpan<byte> buffer, WireSlice scopeSpans)
    {
        string? name = null;
        var reader = new WireReader(buffer, scopeSpans);
        while (reader.Next(out var field, out var wireType))
        {
            if (field != TraceFields.ScopeSpansScope)
            {
                reader.Skip(wireType);
                continue;
            }

            var nameSlice = default(WireSlice);
            var found = false;
            var scope = new WireReader(buffer, reader.Bytes());
            while (scope.Next(out field, out wireType))
            {
                if (field == TraceFields.ScopeName)
                {
                    (nameSlice, found) = (scope.Bytes(), true);
                }
                else
                {
                    scope.Skip(wireType);
                }
            }

            // A scope sent in pieces keeps the last name that came.
            name = found ? Encoding.UTF8.GetString(nameSlice.Of(buffer)) : name ?? string.Empty;
        }

        return name;
    }

    private bool IsUsable(in SpanFields span) =>
        span.StartTimeUnixNano != 0
        && span.EndTimeUnixNano >= span.StartTimeUnixNano
        && clock.InRange(span.EndTimeUnixNano)
        && span.AttributeCount <= maxAttributes;

    // Only called for the rejected spans, so the message costs nothing on the accepted path.
    private string Describe(ReadOnlySpan<byte> buffer, in SpanFields span)
    {
        var problem = span.StartTimeUnixNano == 0
            ? "start_time_unix_nano is missing"
            : span.EndTimeUnixNano < span.StartTimeUnixNano
                ? "end_time_unix_nano is before start_time_unix_nano"
                : clock.Check(span.EndTimeUnixNano, "end_time_unix_nano")
                    ?? string.Create(CultureInfo.InvariantCulture, $"has {span.AttributeCount} attributes, more than the limit {maxAttributes}");
        return $"span '{Encoding.UTF8.GetString(span.Name.Of(buffer))}': {problem}";
    }
}
