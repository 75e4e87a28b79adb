namespace SloMonitor.Otlp;

/// <summary>
/// The fields of one Span message that ingest and the SLI core read, found in one walk of its bytes (the last
/// occurrence of a field wins, as in Google.Protobuf's parser; a status sent in pieces is one status).
/// </summary>
internal readonly struct SpanFields
{
    public WireSlice Message { get; init; }

    /// <summary>The span's message from its first attribute on (empty without attributes): where lookups start.</summary>
    public WireSlice Attributes { get; init; }

    public WireSlice Name { get; init; }

    public WireSlice TraceId { get; init; }

    public WireSlice SpanId { get; init; }

    public int Kind { get; init; }

    public int StatusCode { get; init; }

    public ulong StartTimeUnixNano { get; init; }

    public ulong EndTimeUnixNano { get; init; }

    public int AttributeCount { get; init; }

    public static SpanFields Read(ReadOnlySpan<byte> buffer, WireSlice span)
    {
        WireSlice name = default, traceId = default, spanId = default;
        int kind = 0, statusCode = 0, attributes = 0, firstAttribute = span.End;
        ulong start = 0, end = 0;
        var reader = new WireReader(buffer, span);
        while (true)
        {
            var at = reader.Position;
            if (!reader.Next(out var field, out var wireType))
            {
                break;
            }

            switch (field)
            {
                case TraceFields.SpanTraceId:
                    traceId = reader.Bytes();
                    break;
                case TraceFields.SpanSpanId:
                    spanId = reader.Bytes();
                    break;
                case TraceFields.SpanName:
                    name = reader.Bytes();
                    break;
                case TraceFields.SpanKind:
                    kind = (int)reader.Varint();
                    break;
                case TraceFields.SpanStartTime:
                    start = reader.Fixed64();
                    break;
                case TraceFields.SpanEndTime:
                    end = reader.Fixed64();
                    break;
                case TraceFields.SpanAttributes:
                    firstAttribute = attributes++ == 0 ? at : firstAttribute;
                    reader.Skip(wireType);
                    break;
                case TraceFields.SpanStatus:
                    var status = new WireReader(buffer, reader.Bytes());
                    while (status.Next(out field, out wireType))
                    {
                        if (field == TraceFields.StatusCode)
                        {
                            statusCode = (int)status.Varint();
                        }
                        else
                        {
                            status.Skip(wireType);
                        }
                    }

                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        return new SpanFields
        {
            Message = span,
            Attributes = new WireSlice(firstAttribute, span.End - firstAttribute),
            Name = name,
            TraceId = traceId,
            SpanId = spanId,
            Kind = kind,
            StatusCode = statusCode,
            StartTimeUnixNano = start,
            EndTimeUnixNano = end,
            AttributeCount = attributes,
        };
    }
}
