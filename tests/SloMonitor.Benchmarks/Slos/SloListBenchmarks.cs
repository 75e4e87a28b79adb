using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SloMonitor.Api;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// <c>GET /api/v1/slos</c> over 10,000 SLOs: the body built from the published snapshot and serialized as the API
/// does, beside evaluate-on-read (what a GET cost before the snapshot: one evaluation of every SLO, then the same
/// body). Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloList*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
[MemoryDiagnoser]
public class SloListBenchmarks
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private SloEngine _engine = null!;

    [Params(10_000)]
    public int Slos { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = SloFleet.Build(Slos, new FixedTime(SloFleet.Now));
        _engine.EvaluateRound();
    }

    [Benchmark(Baseline = true)]
    public int EvaluateOnRead()
    {
        _engine.EvaluateRound();
        return Serve();
    }

    [Benchmark]
    public int FromSnapshot() => Serve();

    private int Serve() => JsonSerializer.SerializeToUtf8Bytes(SlosApi.ListBody(_engine.Status, "", [], withLatency: false), Web).Length;
}
