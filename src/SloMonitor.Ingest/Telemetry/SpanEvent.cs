using Google.Protobuf.Collections;
using SloMonitor.Ingest.Otlp.Common;
using SloMonitor.Ingest.Otlp.Trace;

namespace SloMonitor.Ingest;

/// <summary>
/// One accepted span, as the SLI core sees it. A view over the decoded request: valid only during
/// <see cref="ITelemetrySink.OnSpan"/>.
/// </summary>
public readonly struct SpanEvent
{
    private readonly Span _span;
    private readonly RepeatedField<KeyValue>? _resourceAttributes;

    internal SpanEvent(Span span, string serviceName, string? scopeName, RepeatedField<KeyValue>? resourceAttributes)
    {
        _span = span;
        ServiceName = serviceName;
        ScopeName = scopeName;
        _resourceAttributes = resourceAttributes;
    }

    public string ServiceName { get; }

    public string Name => _span.Name;

    public SpanKind Kind => (SpanKind)_span.Kind;

    public SpanStatusCode StatusCode => _span.Status is null ? SpanStatusCode.Unset : (SpanStatusCode)_span.Status.Code;

    public long StartTimeUnixNano => (long)_span.StartTimeUnixNano;

    public long EndTimeUnixNano => (long)_span.EndTimeUnixNano;

    /// <summary>(end − start) / 1e9; ingest rejects spans that end before they start, so never negative.</summary>
    public double DurationSeconds => (_span.EndTimeUnixNano - _span.StartTimeUnixNano) / 1e9;

    public string? ScopeName { get; }

    /// <summary>The span's 16-byte trace id (empty when the exporter sent none).</summary>
    public ReadOnlySpan<byte> TraceId => _span.TraceId.Span;

    /// <summary>The span's 8-byte span id (empty when the exporter sent none).</summary>
    public ReadOnlySpan<byte> SpanId => _span.SpanId.Span;

    /// <summary>
    /// Looks up, in order: the pseudo-attributes "service.name", "span.name", "span.kind" (unspecified, internal,
    /// server, client, producer, consumer), "status.code" (unset, ok, error); then the span's attributes; then the
    /// resource's. Non-string values are formatted invariantly (integers as digits, booleans as true/false, doubles
    /// round-trippable).
    /// </summary>
    public bool TryGetAttribute(string key, out string value)
    {
        switch (key)
        {
            case "service.name":
                value = ServiceName;
                return true;
            case "span.name":
                value = _span.Name;
                return true;
            case "span.kind":
                value = AttributeText.Of(Kind);
                return true;
            case "status.code":
                value = AttributeText.Of(StatusCode);
                return true;
        }

        return AttributeText.TryFind(_span.Attributes, key, out value)
            || AttributeText.TryFind(_resourceAttributes, key, out value);
    }

    /// <summary>
    /// <see cref="TryGetAttribute"/> without allocating for string, boolean and number values: the text is the
    /// value's own characters or formatted into <paramref name="scratch"/> (at least 32 chars).
    /// </summary>
    public bool TryGetAttributeText(string key, Span<char> scratch, out ReadOnlySpan<char> text)
    {
        switch (key)
        {
            case "service.name":
                text = ServiceName;
                return true;
            case "span.name":
                text = _span.Name;
                return true;
            case "span.kind":
                text = AttributeText.Of(Kind);
                return true;
            case "status.code":
                text = AttributeText.Of(StatusCode);
                return true;
        }

        return AttributeText.TryFindText(_span.Attributes, key, scratch, out text)
            || AttributeText.TryFindText(_resourceAttributes, key, scratch, out text);
    }

    /// <summary>
    /// Builds an event without a decoded request, for tests and tools that feed a sink directly.
    /// </summary>
    public static SpanEvent Create(
        string serviceName,
        string name,
        SpanKind kind,
        SpanStatusCode statusCode,
        long startTimeUnixNano,
        long endTimeUnixNano,
        IEnumerable<KeyValuePair<string, string>>? attributes = null,
        string? scopeName = null,
        byte[]? traceId = null,
        byte[]? spanId = null)
    {
        ArgumentNullException.ThrowIfNull(serviceName);
        ArgumentNullException.ThrowIfNull(name);
        if (endTimeUnixNano < startTimeUnixNano)
        {
            throw new ArgumentOutOfRangeException(nameof(endTimeUnixNano), "endTimeUnixNano is before startTimeUnixNano.");
        }

        var span = new Span
        {
            Name = name,
            Kind = (Span.Types.SpanKind)kind,
            Status = new Status { Code = (Status.Types.StatusCode)statusCode },
            StartTimeUnixNano = (ulong)startTimeUnixNano,
            EndTimeUnixNano = (ulong)endTimeUnixNano,
        };
        if (traceId is not null)
        {
            span.TraceId = Google.Protobuf.ByteString.CopyFrom(traceId);
        }

        if (spanId is not null)
        {
            span.SpanId = Google.Protobuf.ByteString.CopyFrom(spanId);
        }

        AttributeText.AddAll(span.Attributes, attributes);
        return new SpanEvent(span, serviceName, scopeName, null);
    }
}
