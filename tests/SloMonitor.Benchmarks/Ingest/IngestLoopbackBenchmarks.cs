using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SloMonitor.Ingest;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>
/// Sustained ingest over loopback, end to end (client encode-free: batches are pre-serialized; server: HTTP/2 or
/// HTTP/1.1, decode, validate, map, sink), with the load generator in the same process on the same two cores.
/// Each invocation sends <see cref="Batches"/> batches with <see cref="Concurrency"/> export requests kept in flight
/// (sustained: a worker sends its next batch as soon as its last one is answered); results are per span / per point.
/// Average CPU (cores busy) and peak working set of the process are printed after each benchmark.
/// <see cref="Sink"/> <c>count</c> counts what arrives (the cost of ingest alone); <c>slos</c> feeds the real
/// <see cref="SloEngine"/> with two SLOs on the batches' service (a regex-matched availability SLO and a latency SLO
/// grouped by route), so every span is also recorded into SLI series, as in the service.
/// Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*IngestLoopback*'</c>.
/// </summary>
[Config(typeof(IngestBenchmarkConfig))]
public class IngestLoopbackBenchmarks
{
    private const int Concurrency = 4;
    private const int Batches = 64;
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(static b => b, static b => b);
    private static readonly Method<byte[], byte[]> TraceExport = new(MethodType.Unary, "opentelemetry.proto.collector.trace.v1.TraceService", "Export", Bytes, Bytes);
    private static readonly Method<byte[], byte[]> MetricsExport = new(MethodType.Unary, "opentelemetry.proto.collector.metrics.v1.MetricsService", "Export", Bytes, Bytes);

    internal const string OrdersSlos = """
        slos:
          - name: orders-availability
            service: orders
            objective: 99.9
            sli: {kind: availability, match: 'span.kind="server", http.route=~"/api/.*"'}
          - name: orders-latency
            service: orders
            objective: 99
            groupBy: [http.route]
            sli: {kind: latency, threshold: 300ms}
        """;

    private readonly NullSink _sink = new();
    private SloEngine? _engine;
    private LoopbackIngestHost _host = null!;
    private GrpcChannel _channel = null!;
    private CallInvoker _invoker = null!;
    private HttpClient _http = null!;
    private byte[] _traces = [];
    private byte[] _tracesJson = [];
    private byte[] _metrics = [];
    private TimeSpan _cpuAtStart;
    private long _wallAtStart;

    [Params("count", "slos")]
    public string Sink { get; set; } = "count";

    [GlobalSetup]
    public void Setup()
    {
        ITelemetrySink sink = _sink;
        if (Sink == "slos")
        {
            _engine = new SloEngine(TimeProvider.System, new SloEngineOptions());
            _engine.Apply(SloParser.ParseYaml(OrdersSlos, "orders.yaml").Definitions);
            sink = _engine;
        }

        _host = LoopbackIngestHost.StartAsync(sink).GetAwaiter().GetResult();
        _channel = GrpcChannel.ForAddress(_host.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null, MaxReceiveMessageSize = null });
        _invoker = _channel.CreateCallInvoker();
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }) { BaseAddress = _host.HttpAddress };
        var now = DateTimeOffset.UtcNow;
        var traces = IngestPayloads.Traces(now);
        _traces = traces.ToByteArray();
        _tracesJson = IngestPayloads.TracesJson(traces);
        _metrics = IngestPayloads.Metrics(now, now.AddMinutes(-5)).ToByteArray();
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _wallAtStart = Stopwatch.GetTimestamp();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime - _cpuAtStart;
        var wall = Stopwatch.GetElapsedTime(_wallAtStart);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// ingest-loopback ({Sink}): average CPU {cpu.TotalSeconds / wall.TotalSeconds:F2} cores, peak working set {process.PeakWorkingSet64 / (1024 * 1024)} MiB, spans {_sink.Spans}, points {_sink.Points}, spans in orders-availability {SloTotal()}"));
        _http.Dispose();
        _channel.Dispose();
        _host.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Batches * IngestPayloads.SpansPerBatch, Description = "span: OTLP/gRPC protobuf")]
    public Task GrpcProtobufSpans() => Fan(() => _invoker.AsyncUnaryCall(TraceExport, null, default, _traces).ResponseAsync);

    [Benchmark(OperationsPerInvoke = Batches * IngestPayloads.SpansPerBatch, Description = "span: OTLP/HTTP JSON")]
    public Task HttpJsonSpans() => Fan(() => Post(_tracesJson, "application/json"));

    [Benchmark(OperationsPerInvoke = Batches * IngestPayloads.SpansPerBatch, Description = "span: OTLP/HTTP protobuf")]
    public Task HttpProtobufSpans() => Fan(() => Post(_traces, "application/x-protobuf"));

    [Benchmark(OperationsPerInvoke = Batches * IngestPayloads.PointsPerBatch, Description = "point: OTLP/gRPC protobuf")]
    public Task GrpcProtobufPoints() => Fan(() => _invoker.AsyncUnaryCall(MetricsExport, null, default, _metrics).ResponseAsync);

    private long SloTotal()
    {
        if (_engine is null)
        {
            return 0;
        }

        _engine.EvaluateRound();
        return _engine.Status.Find("orders-availability")?.Overall.Status.Windows["30d"].Total ?? 0;
    }

    private async Task Post(byte[] body, string contentType)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        using var response = await _http.PostAsync("/v1/traces", content);
        response.EnsureSuccessStatusCode();
    }

    private static Task Fan(Func<Task> call)
    {
        var remaining = Batches;
        var workers = new Task[Concurrency];
        for (var i = 0; i < Concurrency; i++)
        {
            workers[i] = Worker();
        }

        return Task.WhenAll(workers);

        async Task Worker()
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                await call();
            }
        }
    }
}
