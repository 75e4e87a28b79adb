using BenchmarkDotNet.Attributes;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// The per-span cost of the SLO routing path: service lookup, selector match, group lookup, series record.
/// A service with ten SLOs (as in <see cref="SloFleet"/>) receives a span that four of them count.
/// Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloRecord*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloRecordBenchmarks
{
    private SloEngine _engine = null!;
    private SpanEvent _matching;
    private SpanEvent _grouped;
    private SpanEvent _otherService;

    /// <summary>Burn attribution on (the default) or off (the recording path as it was before attribution).</summary>
    [Params(false, true)]
    public bool Attribution { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new SloEngineOptions { Attribution = { Enabled = Attribution } };
        _engine = SloFleet.Build(100, new FixedTime(SloFleet.Now), minutesOfTraffic: 1, options);
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        _matching = SpanEvent.Create("svc-3", "GET /r7", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/r7")]);
        _grouped = SpanEvent.Create("svc-3", "GET /g1", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/g1")]);
        _otherService = SpanEvent.Create("unknown", "GET /r7", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/r7")]);
    }

    [Benchmark(Baseline = true)]
    public void LatencySpan() => _engine.OnSpan(_matching);

    [Benchmark]
    public void GroupedSpan() => _engine.OnSpan(_grouped);

    [Benchmark]
    public void SpanOfAServiceWithoutSlos() => _engine.OnSpan(_otherService);
}
