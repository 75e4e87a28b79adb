using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// A short run inside the benchmark process: the SLO fleets take long to build and a separate build of the
/// generated project adds minutes on a busy machine without changing what is measured.
/// </summary>
public sealed class InProcessShortRunConfig : ManualConfig
{
    public InProcessShortRunConfig()
    {
        // Fleets of 100,000 SLOs take minutes to build on a busy machine: a long time-out rather than the default 5 minutes.
        AddJob(Job.ShortRun.WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: false)));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
