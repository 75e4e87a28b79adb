using BenchmarkDotNet.Attributes;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// What burn attribution adds per span, with spans that carry the attributes of an instrumented HTTP server (route,
/// method, status code, server address, version, environment, region, pod): a good span and a bad span (every key
/// looked up, the slices' summaries updated, an exemplar kept), with attribution off, with its default sampling (the
/// interval widens as an SLO's minute fills: in this run every span lands in the same minute, as a busy SLO's do), and
/// with a fixed interval (every good span, one in 16 or one in 64 does the sampled work). Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloAttribution*' --job short</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloAttributionBenchmarks
{
    private SloEngine _engine = null!;
    private SpanEvent _good;
    private SpanEvent _bad;

    /// <summary><c>off</c>, <c>default</c>, or <c>1/N</c>: one good event in N does the sampled work, whatever the traffic.</summary>
    [Params("off", "default", "1/1", "1/16", "1/64")]
    public string Sampling { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        var options = new SloEngineOptions { Attribution = { Enabled = Sampling != "off" } };
        if (Sampling.StartsWith("1/", StringComparison.Ordinal))
        {
            options.Attribution.GoodSampleEvery = int.Parse(Sampling[2..], System.Globalization.CultureInfo.InvariantCulture);
            options.Attribution.GoodSamplesPerMinute = 0;
        }

        _engine = SloFleet.Build(100, new FixedTime(SloFleet.Now), minutesOfTraffic: 1, options);
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
