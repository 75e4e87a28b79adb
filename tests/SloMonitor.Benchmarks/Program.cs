using BenchmarkDotNet.Running;
using SloMonitor.Benchmarks.Slos;

// `put-load`, `soak`, `change-cost`, `round-cost`, `file-load-cost`, `attribution-memory`, `cluster-flush-cost` and `side-by-side` are load runs (the first two against a running service; see their classes), `otlp-payload` writes request bodies for a replaying load generator; anything else picks benchmarks.
if (args is ["put-load", ..])
{
    return await SloPutLoad.RunAsync(args);
}

if (args is ["change-cost"])
{
    return SloChangeCost.Run();
}

if (args is ["round-cost", ..])
{
    return SloRoundCost.Run(args);
}

if (args is ["file-load-cost"])
{
    return SloFileLoadCost.Run();
}

if (args is ["attribution-memory", ..])
{
    return SloAttributionMemory.Run(args);
}

if (args is ["cluster-flush-cost", ..])
{
    return SloMonitor.Benchmarks.Cluster.ClusterFlushCost.Run(args);
}

if (args is ["side-by-side", ..])
{
    return await SloMonitor.Benchmarks.SideBySide.SideBySideFeed.RunAsync(args);
}

if (args is ["otlp-payload", ..])
{
    return SloMonitor.Benchmarks.Ingest.OtlpPayloadFiles.Run(args);
}

if (args is ["soak", ..])
{
    return await SloMonitor.Benchmarks.Soak.SoakRun.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(SloListBenchmarks).Assembly).Run(args);
return 0;
