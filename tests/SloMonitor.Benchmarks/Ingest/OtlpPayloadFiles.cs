using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>
/// Writes one trace export batch of <see cref="IngestPayloads.Traces"/> (512 server spans of service <c>orders</c>,
/// 11 of them errors, ending now) as request bodies for a replaying load generator such as h2load: the gRPC body
/// (the 5-byte message prefix, uncompressed, then the protobuf) and optionally the OTLP/HTTP protobuf body. The spans
/// must reach the service within its MaxEventAge of being written. SLO_FILE gets the two SLOs on <c>orders</c> that the
/// loopback benchmark's <c>slos</c> sink runs. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- otlp-payload GRPC_FILE [HTTP_FILE [SLO_FILE]]</c>.
/// </summary>
internal static class OtlpPayloadFiles
{
    public static int Run(string[] args)
    {
        if (args.Length < 2)
        {
            Console.Error.WriteLine("usage: otlp-payload GRPC_FILE [HTTP_FILE [SLO_FILE]]");
            return 2;
        }

        var request = IngestPayloads.Traces(DateTimeOffset.UtcNow);
        var message = request.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed.AsSpan(5));
        File.WriteAllBytes(args[1], framed);
        if (args.Length > 2)
        {
            File.WriteAllBytes(args[2], message);
        }

        if (args.Length > 3)
        {
            File.WriteAllText(args[3], IngestLoopbackBenchmarks.OrdersSlos);
        }

        var spans = request.ResourceSpans[0].ScopeSpans[0].Spans;
        var errors = spans.Count(s => s.Status.Code == SloMonitor.Otlp.Trace.Status.Types.StatusCode.Error);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"spans={spans.Count} errors={errors} service=orders message_bytes={message.Length}"));
        return 0;
    }
}
