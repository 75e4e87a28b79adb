using BenchmarkDotNet.Attributes;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// What one SLO change costs with 1,000 and 10,000 SLOs defined (100,000: see SloChangeCost): replacing one SLO's definition (a PUT
/// that changes its SLI, so it is compiled, indexed and evaluated anew) and removing and re-adding one. The cost
/// should not grow with the number of SLOs. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- --filter '*SloChange*'</c>.
/// </summary>
[Config(typeof(InProcessShortRunConfig))]
[MemoryDiagnoser]
public class SloChangeBenchmarks
{
    private SloEngine _engine = null!;
    private SloDefinition _a = null!;
    private SloDefinition _b = null!;
    private bool _flip;

    [Params(1_000, 10_000)]
    public int Slos { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new SloEngine(new FixedTime(SloFleet.Now), new SloEngineOptions());
        var parsed = SloParser.ParseYaml(SloFleet.Yaml(Slos), "fleet.yaml");
        _engine.Apply(parsed.Definitions);
        _a = parsed.Definitions[Slos / 2];
        _b = _a with { Sli = _a.Sli with { Match = "http.route=\"/changed\"" } };
    }

    [Benchmark]
    public bool ReplaceOneSlo()
    {
        _flip = !_flip;
        return _engine.Set(_flip ? _b : _a);
    }

    [Benchmark]
    public bool RemoveAndAddOneSlo()
    {
        _engine.Remove(_a.Name);
        return _engine.Set(_a);
    }
}

/// <summary>A file of 10,000 SLOs read and applied again, as a file reload does (every definition parsed and set).</summary>
[Config(typeof(InProcessShortRunConfig))]
[MemoryDiagnoser]
public class SloFileReloadBenchmarks
{
    private SloMonitor.Slos.Hosting.SloCatalog _catalog = null!;
    private string _yaml = "";

    [Params(10_000)]
    public int Slos { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var engine = new SloEngine(new FixedTime(SloFleet.Now), new SloEngineOptions());
        _catalog = new SloMonitor.Slos.Hosting.SloCatalog(engine, Microsoft.Extensions.Logging.Abstractions.NullLogger<SloMonitor.Slos.Hosting.SloCatalog>.Instance);
        _yaml = SloFleet.Yaml(Slos);
        _catalog.SetFile("fleet.yaml", SloParser.ParseYaml(_yaml, "fleet.yaml").Definitions);
    }

    [Benchmark]
    public int ReloadTheFile()
    {
        var parsed = SloParser.ParseYaml(_yaml, "fleet.yaml");
        _catalog.SetFile("fleet.yaml", parsed.Definitions);
        return parsed.Definitions.Count;
    }
}
