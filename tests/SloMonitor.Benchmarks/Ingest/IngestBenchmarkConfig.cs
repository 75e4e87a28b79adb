using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SloMonitor.Benchmarks.Ingest;

/// <summary>In-process short runs with allocation counts: the whole ingest suite stays within a few minutes.</summary>
public sealed class IngestBenchmarkConfig : ManualConfig
{
    public IngestBenchmarkConfig()
    {
        AddJob(Job.ShortRun.WithWarmupCount(3).WithIterationCount(8).WithToolchain(InProcessEmitToolchain.Instance));
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}
