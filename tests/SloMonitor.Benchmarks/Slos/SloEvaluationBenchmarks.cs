using BenchmarkDotNet.Attributes;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// One evaluation round over 10,000 SLOs with six hours of data each (the loop runs one every 10 s; the budget
/// is 1 s). Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloEvaluation*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
public class SloEvaluationBenchmarks
{
    private SloEngine _engine = null!;

    [Params(10_000)]
    public int Slos { get; set; }

    [GlobalSetup]
    public void Setup() => _engine = SloFleet.Build(Slos, new FixedTime(SloFleet.Now));

    [Benchmark]
    public int EvaluateAll() => _engine.EvaluateRound().Count;
}
