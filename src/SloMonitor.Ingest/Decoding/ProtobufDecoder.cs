using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace SloMonitor.Ingest;

/// <summary>
/// Decodes OTLP protobuf with Google.Protobuf, then walks the wire format once more to reject known fields sent
/// with the wrong wire type (which Google.Protobuf would silently keep as unknown fields, losing the data).
/// </summary>
internal static class ProtobufDecoder
{
    public static T Decode<T>(MessageParser<T> parser, MessageDescriptor descriptor, ReadOnlySequence<byte> payload)
        where T : IMessage<T>
    {
        T message;
        try
        {
            message = parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new OtlpDecodeException("malformed protobuf: " + e.Message);
        }

        string? problem;
        if (payload.IsSingleSegment)
        {
            problem = WireTypeCheck.Check(payload.FirstSpan, descriptor);
        }
        else
        {
            var copy = ArrayPool<byte>.Shared.Rent((int)payload.Length);
            try
            {
                payload.CopyTo(copy);
                problem = WireTypeCheck.Check(copy.AsSpan(0, (int)payload.Length), descriptor);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        return problem is null ? message : throw new OtlpDecodeException("malformed protobuf: " + problem);
    }
}
