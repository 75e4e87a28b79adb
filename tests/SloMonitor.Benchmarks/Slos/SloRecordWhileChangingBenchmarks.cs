using BenchmarkDotNet.Attributes;
using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// Ingest while SLOs change: the per-span cost of recording spans into a service's SLOs among 10,000, with and
/// without another thread replacing an SLO of that same service without pause (its compiled SLO and the service's
/// index entry are swapped on every change, the worst case for the recording thread). Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloRecordWhileChanging*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloRecordWhileChangingBenchmarks
{
    private const int SpansPerInvocation = 10_000;
    private SloEngine _engine = null!;
    private SpanEvent _span;
    private SloDefinition _a = null!;
    private SloDefinition _b = null!;
    private Thread? _changer;
    private volatile bool _stop;
    private long _changes;

    [Params(false, true)]
    public bool WhileChanging { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = SloFleet.Build(10_000, new FixedTime(SloFleet.Now), minutesOfTraffic: 1);
        var end = SloFleet.Now.ToUnixTimeMilliseconds() * 1_000_000;
        _span = SpanEvent.Create("svc-3", "GET /r7", SpanKind.Server, SpanStatusCode.Ok, end - 120_000_000, end, [new("http.route", "/r7")]);
        _a = _engine.Definitions.First(d => d.Service == "svc-3" && d.Sli.Kind == SliKind.Availability);
        _b = _a with { Sli = _a.Sli with { Match = "http.route=\"/changed\"" } };
        if (WhileChanging)
        {
            _changer = new Thread(() =>
            {
                var flip = false;
                while (!_stop)
                {
                    flip = !flip;
                    _engine.Set(flip ? _b : _a);
                    _changes++;
                }
            }) { IsBackground = true };
            _changer.Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _changer?.Join();
        if (WhileChanging)
        {
            Console.WriteLine($"// SLO changes made meanwhile: {_changes:N0}");
        }
    }

    [Benchmark(OperationsPerInvoke = SpansPerInvocation)]
    public void RecordSpans()
    {
        for (var i = 0; i < SpansPerInvocation; i++)
        {
            _engine.OnSpan(_span);
        }
    }
}
