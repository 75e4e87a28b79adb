using System.Buffers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using SloMonitor.Ingest;
using SloMonitor.Ingest.Otlp.Collector.Metrics;
using SloMonitor.Ingest.Otlp.Collector.Trace;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>
/// The decode-and-map path per span / per data point, without transport: protobuf or OTLP JSON decoding of a batch
/// of 512, then mapping every item to an event for the sink. Allocations are per item (OperationsPerInvoke).
/// Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*IngestDecode*'</c>.
/// </summary>
[Config(typeof(IngestBenchmarkConfig))]
public class IngestDecodeBenchmarks
{
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

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: protobuf decode + map")]
    public long SpanProtobuf()
    {
        var request = ProtobufDecoder.Decode(ExportTraceServiceRequest.Parser, ExportTraceServiceRequest.Descriptor, new ReadOnlySequence<byte>(_traces));
        return _ingestor.ApplyTraces(request).Accepted;
    }

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: OTLP JSON decode + map")]
    public long SpanJson() => _ingestor.ApplyTraces(OtlpJsonDecoder.Traces(_tracesJson, 64)).Accepted;

    [Benchmark(OperationsPerInvoke = IngestPayloads.SpansPerBatch, Description = "span: map only (already decoded)")]
    public long SpanMapOnly() => _ingestor.ApplyTraces(_decodedTraces ??= ExportTraceServiceRequest.Parser.ParseFrom(_traces)).Accepted;

    [Benchmark(OperationsPerInvoke = IngestPayloads.PointsPerBatch, Description = "point: protobuf decode + cumulative-to-delta + map")]
    public long PointProtobuf()
    {
        var request = ProtobufDecoder.Decode(ExportMetricsServiceRequest.Parser, ExportMetricsServiceRequest.Descriptor, new ReadOnlySequence<byte>(_metrics));
        return _ingestor.ApplyMetrics(request).Accepted;
    }

    private ExportTraceServiceRequest? _decodedTraces;
}
