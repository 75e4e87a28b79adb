using System.Text;
using SloMonitor.Otlp.Trace;

namespace SloMonitor.Otlp;

/// <summary>
/// One accepted span, as the SLI core sees it. A view over the request's bytes: valid only during
/// <see cref="ITelemetrySink.OnSpan"/>. The UTF-8 members read in place; the members returning <see cref="string"/>
/// (<see cref="Name"/>, <see cref="TryGetAttribute"/>) make a new string on every call, for what must be kept.
/// </summary>
public readonly struct SpanEvent
{
    private const int MaxStackKeyBytes = 256;

    private readonly byte[] _buffer;
    private readonly SpanFields _span;
    private readonly WireSlice _serviceName;
    private readonly WireSlice _resourceSpans;

    internal SpanEvent(byte[] buffer, in SpanFields span, string serviceName, WireSlice serviceNameUtf8, string? scopeName, WireSlice resourceSpans)
    {
        _buffer = buffer;
        _span = span;
        ServiceName = serviceName;
        _serviceName = serviceNameUtf8;
        ScopeName = scopeName;
        _resourceSpans = resourceSpans;
    }

    public string ServiceName { get; }

    /// <summary>The span's name, made into a new string on each call (<see cref="NameUtf8"/> reads it in place).</summary>
    public string Name => Encoding.UTF8.GetString(NameUtf8);

    public ReadOnlySpan<byte> NameUtf8 => _span.Name.Of(_buffer);

    public SpanKind Kind => (SpanKind)_span.Kind;

    public SpanStatusCode StatusCode => (SpanStatusCode)_span.StatusCode;

    public long StartTimeUnixNano => (long)_span.StartTimeUnixNano;

    public long EndTimeUnixNano => (long)_span.EndTimeUnixNano;

    /// <summary>(end − start) / 1e9; ingest rejects spans that end before they start, so never negative.</summary>
    public double DurationSeconds => (_span.EndTimeUnixNano - _span.StartTimeUnixNano) / 1e9;

    public string? ScopeName { get; }

    /// <summary>The span's 16-byte trace id (empty when the exporter sent none).</summary>
    public ReadOnlySpan<byte> TraceId => _span.TraceId.Of(_buffer);

    /// <summary>The span's 8-byte span id (empty when the exporter sent none).</summary>
    public ReadOnlySpan<byte> SpanId => _span.SpanId.Of(_buffer);

    /// <summary>
    /// Looks up, in order: the pseudo-attributes "service.name", "span.name", "span.kind" (unspecified, internal,
    /// server, client, producer, consumer), "status.code" (unset, ok, error); then the span's attributes; then the
    /// resource's. Non-string values are formatted invariantly (integers as digits, booleans as true/false, doubles
    /// round-trippable). Makes a new string (except for the pseudo-attributes): use it for what is kept.
    /// </summary>
    public bool TryGetAttribute(string key, out string value)
    {
        switch (key)
        {
            case "service.name":
                value = ServiceName;
                return true;
            case "span.name":
                value = Name;
                return true;
            case "span.kind":
                value = AttributeText.Of(Kind);
                return true;
            case "status.code":
                value = AttributeText.Of(StatusCode);
                return true;
        }

        if (TryFind(key, out var found))
        {
            value = found.ToText(_buffer);
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>
    /// <see cref="TryGetAttribute"/> without allocating for booleans, numbers and strings that fit
    /// <paramref name="scratch"/> (at least 32 chars): the text is decoded or formatted into it.
    /// </summary>
    public bool TryGetAttributeText(string key, Span<char> scratch, out ReadOnlySpan<char> text)
    {
        switch (key)
        {
            case "service.name":
                text = ServiceName;
                return true;
            case "span.name":
                text = NameUtf8.Length <= scratch.Length ? scratch[..Encoding.UTF8.GetChars(NameUtf8, scratch)] : Name;
                return true;
            case "span.kind":
                text = AttributeText.Of(Kind);
                return true;
            case "status.code":
                text = AttributeText.Of(StatusCode);
                return true;
        }

        if (TryFind(key, out var found))
        {
            text = found.ToText(_buffer, scratch);
            return true;
        }

        text = default;
        return false;
    }

    /// <summary>
    /// <see cref="TryGetAttribute"/> as UTF-8, for matching without decoding: a string value is a slice of the
    /// request, booleans and numbers are formatted into <paramref name="scratch"/> (at least 32 bytes).
    /// </summary>
    public bool TryGetAttributeUtf8(ReadOnlySpan<byte> key, Span<byte> scratch, out ReadOnlySpan<byte> utf8)
    {
        if (key.SequenceEqual("service.name"u8))
        {
            utf8 = _serviceName.Of(_buffer);
            return true;
        }

        if (key.SequenceEqual("span.name"u8))
        {
            utf8 = NameUtf8;
            return true;
        }

        if (key.SequenceEqual("span.kind"u8))
        {
            utf8 = AttributeText.Utf8Of(Kind);
            return true;
        }

        if (key.SequenceEqual("status.code"u8))
        {
            utf8 = AttributeText.Utf8Of(StatusCode);
            return true;
        }

        if (TryFindUtf8(key, out var found))
        {
            utf8 = found.ToUtf8(_buffer, scratch);
            return true;
        }

        utf8 = default;
        return false;
    }

    private bool TryFind(string key, out WireValue value)
    {
        if (key.Length * 3 <= MaxStackKeyBytes)
        {
            Span<byte> utf8 = stackalloc byte[MaxStackKeyBytes];
            return TryFindUtf8(utf8[..Encoding.UTF8.GetBytes(key, utf8)], out value);
        }

        return TryFindUtf8(Encoding.UTF8.GetBytes(key), out value);
    }

    private bool TryFindUtf8(ReadOnlySpan<byte> key, out WireValue value)
    {
        ReadOnlySpan<byte> buffer = _buffer;
        if (WireAttributes.TryFind(buffer, _span.Attributes, TraceFields.SpanAttributes, key, out var keyValue)
            || WireAttributes.TryFindInResource(buffer, _resourceSpans, key, out keyValue))
        {
            value = WireValue.Of(buffer, keyValue);
            return true;
        }

        value = default;
        return false;
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

        // The span's bytes, then the service name's: the event reads both in place, as it reads a request.
        var spanLength = span.CalculateSize();
        var buffer = new byte[spanLength + Encoding.UTF8.GetByteCount(serviceName)];
        Google.Protobuf.MessageExtensions.WriteTo(span, buffer.AsSpan(0, spanLength));
        var serviceLength = Encoding.UTF8.GetBytes(serviceName, buffer.AsSpan(spanLength));
        var fields = SpanFields.Read(buffer, new WireSlice(0, spanLength));
        return new SpanEvent(buffer, fields, serviceName, new WireSlice(spanLength, serviceLength), scopeName, default);
    }
}
