using System.Buffers;
using Google.Protobuf;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Trace;

namespace SloMonitor.Ingest;

/// <summary>
/// An ExportTraceServiceRequest kept as its wire bytes and read in place (<see cref="SpanMapper"/>,
/// <see cref="SpanEvent"/>). The bytes are checked first by <see cref="WireValidator"/>; a request its strict
/// rules refuse is decided by the message-based decoder (<see cref="ProtobufDecoder"/>), so errors keep their
/// messages, and what that decoder accepts is re-encoded canonically and read the same way.
/// </summary>
internal sealed class TraceRequest : IDisposable
{
    private static readonly WireShape Shape = WireShape.Of(ExportTraceServiceRequest.Descriptor);

    private byte[]? _pooled;

    private TraceRequest(byte[] buffer, int length, byte[]? pooled)
    {
        Buffer = buffer;
        Length = length;
        _pooled = pooled;
        SpanCount = CountSpans(buffer.AsSpan(0, length));
    }

    public byte[] Buffer { get; }

    public int Length { get; }

    /// <summary>The spans the request carries, accepted or not.</summary>
    public int SpanCount { get; }

    public ReadOnlySpan<byte> Span => Buffer.AsSpan(0, Length);

    /// <summary>
    /// Reads the request in <paramref name="buffer"/>; throws <see cref="OtlpDecodeException"/> as the message-based
    /// decoder does. A <paramref name="pooled"/> buffer (from <see cref="ArrayPool{T}.Shared"/>) is returned on
    /// <see cref="Dispose"/>, or at once when the request is refused or re-encoded.
    /// </summary>
    public static TraceRequest Read(byte[] buffer, int length, byte[]? pooled = null)
    {
        if (WireValidator.IsWellFormed(buffer.AsSpan(0, length), Shape))
        {
            return new TraceRequest(buffer, length, pooled);
        }

        try
        {
            return FromMessage(ProtobufDecoder.Decode(ExportTraceServiceRequest.Parser, ExportTraceServiceRequest.Descriptor, new ReadOnlySequence<byte>(buffer, 0, length)));
        }
        finally
        {
            if (pooled is not null)
            {
                ArrayPool<byte>.Shared.Return(pooled);
            }
        }
    }

    /// <summary>A request read from a sequence (a gRPC payload): copied once into a pooled buffer.</summary>
    public static TraceRequest Read(ReadOnlySequence<byte> payload)
    {
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        payload.CopyTo(buffer);
        return Read(buffer, length, buffer);
    }

    /// <summary>A decoded message (OTLP/JSON, tests) as wire bytes, read like any other request.</summary>
    public static TraceRequest FromMessage(ExportTraceServiceRequest message)
    {
        var bytes = message.ToByteArray();
        if (!WireValidator.IsWellFormed(bytes, Shape, int.MaxValue))
        {
            // Google.Protobuf writes what it parsed canonically; reaching this is a bug, answered as bad input.
            throw new OtlpDecodeException("malformed protobuf: the request does not re-encode to well-formed protobuf");
        }

        return new TraceRequest(bytes, bytes.Length, null);
    }

    public void Dispose()
    {
        if (_pooled is not null)
        {
            ArrayPool<byte>.Shared.Return(_pooled);
            _pooled = null;
        }
    }

    private static int CountSpans(ReadOnlySpan<byte> buffer)
    {
        var count = 0;
        var request = new WireReader(buffer, new WireSlice(0, buffer.Length));
        while (request.Next(out var field, out var wireType))
        {
            if (field != TraceFields.RequestResourceSpans)
            {
                request.Skip(wireType);
                continue;
            }

            var resource = new WireReader(buffer, request.Bytes());
            while (resource.Next(out field, out wireType))
            {
                if (field != TraceFields.ResourceSpansScopeSpans)
                {
                    resource.Skip(wireType);
                    continue;
                }

                count += CountField(buffer, resource.Bytes(), TraceFields.ScopeSpansSpans);
            }
        }

        return count;
    }

    public static int CountField(ReadOnlySpan<byte> buffer, WireSlice message, int number)
    {
        var count = 0;
        var reader = new WireReader(buffer, message);
        while (reader.Next(out var field, out var wireType))
        {
            count += field == number ? 1 : 0;
            reader.Skip(wireType);
        }

        return count;
    }
}
