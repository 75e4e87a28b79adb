using System.Diagnostics;
using System.Globalization;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// One SLO change timed over 1,000, 10,000 and 100,000 SLOs in one process, each fleet built once (BenchmarkDotNet
/// builds it again for every case, which takes too long at 100,000 SLOs and 8 GB): 5,000 replacements of one SLO's
/// SLI and 5,000 removals and re-additions, three rounds per size. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- change-cost</c>.
/// </summary>
internal static class SloChangeCost
{
    private const int Changes = 5_000;

    public static int Run()
    {
        foreach (var count in new[] { 1_000, 10_000, 100_000 })
        {
            var stopwatch = Stopwatch.StartNew();
            var engine = new SloEngine(TimeProvider.System, new SloEngineOptions());
            var definitions = SloParser.ParseYaml(SloFleet.Yaml(count), "fleet.yaml").Definitions;
            engine.Apply(definitions);
            var a = definitions[count / 2];
            var b = a with { Sli = a.Sli with { Match = "http.route=\"/changed\"" } };
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} SLOs built in {stopwatch.Elapsed.TotalSeconds:0.0} s, managed heap {GC.GetTotalMemory(false) / 1048576} MiB"));
            for (var round = 0; round < 3; round++)
            {
                stopwatch.Restart();
                for (var i = 0; i < Changes; i++)
                {
                    engine.Set(i % 2 == 0 ? b : a);
                }

                var replace = stopwatch.Elapsed.TotalMicroseconds / Changes;
                stopwatch.Restart();
                for (var i = 0; i < Changes; i++)
                {
                    engine.Remove(a.Name);
                    engine.Set(a);
                }

                var removeAndAdd = stopwatch.Elapsed.TotalMicroseconds / Changes;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {count} SLOs: replace one {replace:0.0} µs, remove and add one {removeAndAdd:0.0} µs"));
            }

            GC.KeepAlive(engine);
        }

        return 0;
    }
}
