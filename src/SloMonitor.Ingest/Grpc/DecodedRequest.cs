using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace SloMonitor.Ingest;

/// <summary>
/// A gRPC request message decoded by our own marshaller, so that a malformed or oversized message becomes
/// INVALID_ARGUMENT / RESOURCE_EXHAUSTED with a message instead of a generic server error.
/// </summary>
internal sealed class DecodedRequest<T>
    where T : class, IMessage<T>
{
    public T? Message { get; private init; }

    public RpcException? Error { get; private init; }

    /// <summary>Size of the message after decompression.</summary>
    public long PayloadLength { get; private init; }

    public static Marshaller<DecodedRequest<T>> Marshaller(MessageParser<T> parser, MessageDescriptor descriptor) =>
        Marshallers.Create<DecodedRequest<T>>(
            static (request, context) =>
            {
                var message = request.Message ?? throw new InvalidOperationException("Cannot send a request that failed to decode.");
                context.SetPayloadLength(message.CalculateSize());
                message.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context =>
            {
                var payload = context.PayloadAsReadOnlySequence();
                try
                {
                    return new DecodedRequest<T> { Message = ProtobufDecoder.Decode(parser, descriptor, payload), PayloadLength = payload.Length };
                }
                catch (OtlpDecodeException e)
                {
                    return new DecodedRequest<T> { Error = new RpcException(new Status(StatusCode.InvalidArgument, e.Message)), PayloadLength = payload.Length };
                }
            });

    public static Marshaller<TResponse> ResponseMarshaller<TResponse>(MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse> =>
        Marshallers.Create<TResponse>(
            static (response, context) =>
            {
                context.SetPayloadLength(response.CalculateSize());
                response.WriteTo(context.GetBufferWriter());
                context.Complete();
            },
            context => parser.ParseFrom(context.PayloadAsReadOnlySequence()));
}
