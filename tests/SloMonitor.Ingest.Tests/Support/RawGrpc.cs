using Grpc.Core;
using Grpc.Net.Client;

namespace SloMonitor.Ingest.Tests.Support;

/// <summary>Sends raw bytes to the OTLP gRPC Export methods, so tests can send what no generated client would.</summary>
internal sealed class RawGrpc : IDisposable
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);
    private readonly GrpcChannel _channel;

    public RawGrpc(Uri address, bool gzip = false) =>
        _channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });

    public async Task<(StatusCode Code, string Detail, Metadata Trailers, byte[]? Response)> ExportAsync(string signal, byte[] body, bool gzip = false)
    {
        var service = $"opentelemetry.proto.collector.{signal}.v1.{Capitalized(signal)}Service";
        var method = new Method<byte[], byte[]>(MethodType.Unary, service, "Export", Bytes, Bytes);
        var headers = new Metadata();
        if (gzip)
        {
            headers.Add("grpc-internal-encoding-request", "gzip");
        }

        var call = _channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)), body);
        try
        {
            var response = await call.ResponseAsync;
            return (StatusCode.OK, string.Empty, call.GetTrailers(), response);
        }
        catch (RpcException e)
        {
            return (e.StatusCode, e.Status.Detail, e.Trailers, null);
        }
    }

    public void Dispose() => _channel.Dispose();

    private static string Capitalized(string signal) => signal switch
    {
        "trace" => "Trace",
        "metrics" => "Metrics",
        _ => "Logs",
    };
}
