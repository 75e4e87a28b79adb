using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// A file of 10,000 SLOs loaded as the service loads its files: parsed, then set into the catalog. Timed once in a new
/// process (the JIT included, as at start-up), then reloaded unchanged three times, then loaded into a second, empty
/// engine of the same process. Run: <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- file-load-cost</c>.
/// </summary>
internal static class SloFileLoadCost
{
    public static int Run()
    {
        var yaml = SloFleet.Yaml(10_000);
        var catalog = NewCatalog();
        for (var round = 0; round < 4; round++)
        {
            Load(catalog, yaml, round == 0 ? "first load in a new process" : "reload, unchanged");
        }

        Load(NewCatalog(), yaml, "first load into a second engine");
        return 0;
    }

    private static SloCatalog NewCatalog() =>
        new(new SloEngine(TimeProvider.System, new SloEngineOptions()), NullLogger<SloCatalog>.Instance);

    private static void Load(SloCatalog catalog, string yaml, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        var parsed = SloParser.ParseYaml(yaml, "fleet.yaml");
        var parse = stopwatch.Elapsed;
        stopwatch.Restart();
        catalog.SetFile("fleet.yaml", parsed.Definitions);
        var set = stopwatch.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: parse {parse.TotalSeconds:0.00} s, set {set.TotalSeconds:0.00} s, in all {(parse + set).TotalSeconds:0.00} s ({parsed.Definitions.Count} SLOs)"));
    }
}
