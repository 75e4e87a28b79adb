using System.Diagnostics;
using System.Globalization;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// Evaluation rounds over a large fleet in one process (BenchmarkDotNet would build the fleet again for every case,
/// minutes and gigabytes at 100,000 SLOs): builds <see cref="SloFleet"/> of N SLOs (six availability, three latency,
/// one in ten grouped by route, six hours of traffic each), then times one warm-up and five evaluation rounds, each
/// ten seconds after the one before as in the service (so the windows slide), with what each allocates, and reads
/// every SLO from the published snapshot as the API does. Reports the managed heap and
/// the resident memory per SLO. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- round-cost [SLOS] [MINUTES_OF_TRAFFIC] [ROUNDS]</c>
/// (defaults 100,000, 360 and 5; more rounds leave time to attach a profiler).
/// </summary>
internal static class SloRoundCost
{
    public static int Run(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
        var minutes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 360;
        var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = Process.GetCurrentProcess().WorkingSet64;
        var stopwatch = Stopwatch.StartNew();
        var clock = new RoundClock(SloFleet.Now);
        var engine = SloFleet.Build(count, clock, minutes);
        var built = stopwatch.Elapsed;
        var heap = GC.GetTotalMemory(forceFullCollection: true) - heapBefore;
        var rss = Process.GetCurrentProcess().WorkingSet64 - rssBefore;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{count:N0} SLOs with {minutes} minutes of traffic built in {built.TotalSeconds:0.0} s; managed heap {heap / 1048576.0:N0} MiB ({heap / 1024.0 / count:0.0} KiB per SLO), resident {rss / 1048576.0:N0} MiB more ({rss / 1024.0 / count:0.0} KiB per SLO); {Environment.ProcessorCount} cores"));

        var evaluations = 0;
        for (var round = 0; round <= rounds; round++)
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var paused = GC.GetTotalPauseDuration();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            clock.Now += TimeSpan.FromSeconds(10);
            stopwatch.Restart();
            evaluations = engine.EvaluateRound().Count;
            var took = stopwatch.Elapsed;
            allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            paused = GC.GetTotalPauseDuration() - paused;
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {(round == 0 ? "0 (warm-up)" : round.ToString(CultureInfo.InvariantCulture))}: {took.TotalMilliseconds:N0} ms ({cpu.TotalMilliseconds:N0} ms of CPU), {evaluations:N0} evaluations (SLOs and groups), {allocated / 1048576.0:N1} MiB allocated; collections gen0/1/2 {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, paused {paused.TotalMilliseconds:N0} ms"));
        }

        // What the API does for GET /api/v1/slos/{name}: read the published snapshot, no evaluation.
        var names = engine.Definitions.Select(d => d.Name).ToList();
        var found = 0;
        var read = GC.GetTotalAllocatedBytes(precise: true);
        stopwatch.Restart();
        foreach (var name in names)
        {
            found += engine.Status.Find(name) is null ? 0 : 1;
        }

        var readTook = stopwatch.Elapsed;
        read = GC.GetTotalAllocatedBytes(precise: true) - read;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  every SLO read from the snapshot: {readTook.TotalMilliseconds * 1000 / names.Count:0.00} µs and {(double)read / names.Count:0} B per SLO ({found:N0} found)"));
        GC.KeepAlive(engine);
        return found == count ? 0 : 1;
    }

    /// <summary>The rounds' clock: the fleet's instant, moved on by each round.</summary>
    private sealed class RoundClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
