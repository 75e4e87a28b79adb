using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using SloMonitor.Otlp.Rpc;
using RpcStatus = SloMonitor.Otlp.Rpc.Status;

namespace SloMonitor.Ingest;

/// <summary>
/// The shared body of the three OTLP/gRPC Export methods: throttling with google.rpc.RetryInfo, byte, request and
/// item reservation, apply, metrics.
/// </summary>
internal sealed class GrpcExport(OtlpIngestor ingestor, IngestGate gate)
{
    public OtlpIngestor Ingestor => ingestor;

    /// <summary>Serves a request of <paramref name="payloadLength"/> bytes: decoded, or refused with <paramref name="error"/>.</summary>
    public TResponse Run<TRequest, TResponse>(
        long payloadLength, RpcException? error, TRequest? decoded, string signal, Func<TRequest, int> count, Func<TRequest, ApplyResult> apply, Func<ApplyResult, TResponse> answer)
        where TRequest : class
    {
        // The message was received in full before this runs (gRPC reads it first), so a slow client never holds a
        // request slot; its bytes count in the byte budget until it is answered.
        using var lease = gate.LeaseBytes();
        if (!lease.TryAdd(payloadLength))
        {
            IngestMetrics.Record(Signals.Grpc, signal, RequestOutcome.Unavailable);
            throw Throttled(StatusCode.Unavailable, new BytesInFlightException(lease.MaxBytes).Message);
        }

        if (!gate.TryEnterRequest())
        {
            IngestMetrics.Record(Signals.Grpc, signal, RequestOutcome.Throttled);
            throw Throttled(StatusCode.ResourceExhausted, "too many export requests in flight (Ingest:MaxInFlightRequests); retry later");
        }

        try
        {
            var limit = ingestor.Options.MaxBodyBytes;
            if (payloadLength > limit)
            {
                IngestMetrics.Record(Signals.Grpc, signal, RequestOutcome.TooLarge);
                throw new RpcException(new Grpc.Core.Status(StatusCode.ResourceExhausted, $"the message is larger than the limit of {limit} bytes (after decompression)"));
            }

            if (error is not null)
            {
                IngestMetrics.Record(Signals.Grpc, signal, RequestOutcome.Invalid);
                throw error;
            }

            var message = decoded!;
            var items = count(message);
            if (!gate.TryReserveItems(items))
            {
                IngestMetrics.Record(Signals.Grpc, signal, RequestOutcome.Unavailable);
                throw Throttled(StatusCode.Unavailable, "the ingest pipeline is full (Ingest:MaxInFlightItems); retry later");
            }

            ApplyResult result;
            try
            {
                result = apply(message);
            }
            finally
            {
                gate.ReleaseItems(items);
            }

            IngestMetrics.Count(signal, result);
            IngestMetrics.Record(Signals.Grpc, signal, result.Rejected == 0 ? RequestOutcome.Success : RequestOutcome.PartialSuccess);
            return answer(result);
        }
        finally
        {
            gate.ExitRequest();
        }
    }

    private RpcException Throttled(StatusCode code, string message)
    {
        var details = new RpcStatus
        {
            Code = (int)code,
            Message = message,
            Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(ingestor.Options.RetryAfter) }) },
        };
        var trailers = new Metadata { { "grpc-status-details-bin", details.ToByteArray() } };
        return new RpcException(new Grpc.Core.Status(code, message), trailers);
    }
}
