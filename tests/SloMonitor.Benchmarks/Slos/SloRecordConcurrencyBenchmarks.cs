using BenchmarkDotNet.Attributes;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// The SLO routing path (service lookup, selector match, series record) from 1 or 2 threads that all send spans of
/// one service to the same latency SLO, as concurrent export requests of one service do. Per span, across threads.
/// Span end times advance 1 ms every 64 spans of a thread.
/// Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloRecordConcurrency*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloRecordConcurrencyBenchmarks
{
    private const int TotalSpans = 2_000_000;
    private const int SpansPerThread = 8_192;
    private SloEngine _engine = null!;
    private SpanEvent[][] _spans = [];

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = SloFleet.Build(100, new FixedTime(SloFleet.Now), minutesOfTraffic: 1);
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        _spans = [.. Enumerable.Range(0, 2).Select(_ => Enumerable.Range(0, SpansPerThread)
            .Select(i => SpanEvent.Create("svc-3", "GET /r7", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end + ((i / 64) * 1_000_000L), [new("http.route", "/r7")]))
            .ToArray())];
    }

    [Benchmark(OperationsPerInvoke = TotalSpans)]
    public void RecordLatencySpans()
    {
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            var spans = _spans[t];
            int count = TotalSpans / Threads;
            threads[t] = new Thread(() =>
            {
                for (int i = 0; i < count; i++)
                {
                    _engine.OnSpan(spans[i & (SpansPerThread - 1)]);
                }
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
