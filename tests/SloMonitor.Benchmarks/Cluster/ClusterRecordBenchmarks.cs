using BenchmarkDotNet.Attributes;
using SloMonitor.Benchmarks.Slos;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Cluster;

/// <summary>
/// The per-span cost of the cluster path against the single-process one: the same span of <see cref="SloRecordBenchmarks"/>
/// (a service with ten SLOs, four of which count it) recorded by the engine alone (<c>single</c>), by the cluster
/// recorder into the engine and the SLOs' deltas (<c>cluster</c>, what <c>localhost</c> and <c>postgres</c> mode do),
/// or into the deltas only (<c>delta</c>). Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*ClusterRecord*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class ClusterRecordBenchmarks
{
    private ITelemetrySink _sink = null!;
    private SpanEvent _matching;
    private SpanEvent _grouped;

    [Params("single", "cluster", "delta")]
    public string Path { get; set; } = "single";

    [GlobalSetup]
    public void Setup()
    {
        var engine = SloFleet.Build(100, new FixedTime(SloFleet.Now), minutesOfTraffic: 1);
        _sink = Path switch
        {
            "single" => engine,
            "cluster" => new DeltaRecorder(engine, alsoLocal: true),
            _ => new DeltaRecorder(engine, alsoLocal: false),
        };
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        _matching = SpanEvent.Create("svc-3", "GET /r7", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/r7")]);
        _grouped = SpanEvent.Create("svc-3", "GET /g1", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/g1")]);
        _sink.OnSpan(_matching); // the deltas' tracks exist, as after the first flush interval
        _sink.OnSpan(_grouped);
    }

    [Benchmark(Baseline = true)]
    public void LatencySpan() => _sink.OnSpan(_matching);

    [Benchmark]
    public void GroupedSpan() => _sink.OnSpan(_grouped);
}
