using Grpc.Core;

namespace SloMonitor.Ingest;

/// <summary>
/// A gRPC trace export request as its bytes: the marshaller copies the payload once into a pooled buffer and checks
/// it (<see cref="TraceRequest.Read(System.Buffers.ReadOnlySequence{byte})"/>), so spans are read in place while the
/// call is served. Disposing returns the buffer.
/// </summary>
internal sealed class DecodedTraceRequest : IDisposable
{
    public TraceRequest? Request { get; private init; }

    public RpcException? Error { get; private init; }

    /// <summary>Size of the message after decompression.</summary>
    public long PayloadLength { get; private init; }

    public static Marshaller<DecodedTraceRequest> Marshaller() =>
        Marshallers.Create<DecodedTraceRequest>(
            static (request, context) =>
            {
                var bytes = (request.Request ?? throw new InvalidOperationException("Cannot send a request that failed to decode.")).Span;
                context.SetPayloadLength(bytes.Length);
                var writer = context.GetBufferWriter();
                bytes.CopyTo(writer.GetSpan(bytes.Length));
                writer.Advance(bytes.Length);
                context.Complete();
            },
            static context =>
            {
                var payload = context.PayloadAsReadOnlySequence();
                try
                {
                    return new DecodedTraceRequest { Request = TraceRequest.Read(payload), PayloadLength = payload.Length };
                }
                catch (OtlpDecodeException e)
                {
                    return new DecodedTraceRequest { Error = new RpcException(new Status(StatusCode.InvalidArgument, e.Message)), PayloadLength = payload.Length };
                }
            });

    public void Dispose() => Request?.Dispose();
}
