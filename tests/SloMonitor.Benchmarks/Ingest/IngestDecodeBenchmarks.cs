using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using SloMonitor.Ingest;
using SloMonitor.Otlp;
using SloMonitor.Otlp.Collector.Metrics;
using SloMonitor.Otlp.Collector.Trace;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>
/// The decode-and-map path per span / per data point, without transport: protobuf (read in place for traces) or
/// OTLP JSON decoding of a batch of 512, then mapping every item to an event for the sink. Allocations are per item
/// (OperationsPerInvoke). "span: Google.Protobuf message + map" is the reading ingest had before (the message
/// parsed, then encoded again for the in-place mapper to read), kept to compare with.
/// Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*IngestDecode*'</c>.
/// </summary>
[Config(typeof(IngestBenchmarkConfig))]
public class IngestDecodeBenchmarks
{
    private static readonly WireShape TraceShape = WireShape.Of(ExportTraceServiceRequest.Descriptor);

    private OtlpIngestor _ingestor = null!;
    private byte[] _traces = [];
    private byte[] _tracesJson = [];
    private byte[] _metrics = [];

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _ingestor = new OtlpIngestor(new NullSink(), new IngestOptions(), TimeProvider.System);
        var traces = IngestPayloads.Traces(now);
        _traces = traces.ToByteArray();
        _tracesJson = IngestPayloads.TracesJson(traces);
        _metrics = IngestPayloads.Metrics(now, now.AddMinutes(-5)).ToByteArray();
    }

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: protobuf read in place + map")]
    public long SpanProtobuf()
    {
        using var request = TraceRequest.Read(_traces, _traces.Length);
        return _ingestor.ApplyTraces(request).Accepted;
    }

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: wire check only")]
    public bool SpanWireCheck() => WireValidator.IsWellFormed(_traces, TraceShape);

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: Google.Protobuf message decode (before)")]
    public int SpanMessageDecode() =>
        ProtobufDecoder.Decode(ExportTraceServiceRequest.Parser, ExportTraceServiceRequest.Descriptor, new ReadOnlySequence<byte>(_traces)).ResourceSpans.Count;

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: OTLP JSON decode + encode + map")]
    public long SpanJson() => _ingestor.ApplyTraces(OtlpJsonDecoder.Traces(_tracesJson, 64)).Accepted;

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: map only (already checked)")]
    public long SpanMapOnly() => _ingestor.ApplyTraces(_checkedTraces ??= TraceRequest.Read(_traces, _traces.Length)).Accepted;

    [Benchmark(OperationsPerInvoke = IngestPayloads.PointsPerBatch, Description = "point: protobuf decode + cumulative-to-delta + map")]
    public long PointProtobuf()
    {
        var request = ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, new ReadOnlySequence<byte>(_metrics));
        return _ingestor.ApplyMetrics(request).Accepted;
    }

    private TraceRequest? _checkedTraces;
}
