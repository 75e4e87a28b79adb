using BenchmarkDotNet.Attributes;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// What burn attribution adds per span, with spans that carry the attributes of an instrumented HTTP server (route,
/// method, status code, server address, version, environment, region, pod): a good span (every one, one in 16 or one in 64 does the sampled work) and a bad span (every key looked up, the slices' summaries updated, an exemplar kept), attribution off
/// and on. Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloAttribution*' --job short</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloAttributionBenchmarks
{
    private SloEngine _engine = null!;
    private SpanEvent _good;
    private SpanEvent _bad;

    [Params(false, true)]
    public bool Attribution { get; set; }

    /// <summary>One good event in this many does the sampled work (<c>Slos:Attribution:GoodSampleEvery</c>).</summary>
    [Params(1, 16, 64)]
    public int GoodSampleEvery { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = SloFleet.Build(100, new FixedTime(SloFleet.Now), minutesOfTraffic: 1, new SloEngineOptions { Attribution = { Enabled = Attribution, GoodSampleEvery = GoodSampleEvery } });
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        KeyValuePair<string, string>[] attributes =
        [
            new("http.route", "/r1"), new("http.request.method", "GET"), new("http.response.status_code", "500"),
            new("server.address", "checkout.internal"), new("url.scheme", "https"), new("network.protocol.version", "1.1"),
            new("service.version", "2.4.1"), new("deployment.environment.name", "prod"), new("cloud.region", "eu-west-1"),
            new("k8s.pod.name", "svc-3-7d9f8c6b5-x2k4q"),
        ];
        byte[] traceId = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
        _good = SpanEvent.Create("svc-3", "GET /r1", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, attributes, traceId: traceId, spanId: [1, 2, 3, 4, 5, 6, 7, 8]);
        _bad = SpanEvent.Create("svc-3", "GET /r1", SpanKind.Server, SpanStatusCode.Error, end - 120_000_000, end, attributes, traceId: traceId, spanId: [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    [Benchmark(Baseline = true)]
    public void GoodSpan() => _engine.OnSpan(_good);

    [Benchmark]
    public void BadSpan() => _engine.OnSpan(_bad);
}
