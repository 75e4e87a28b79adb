using BenchmarkDotNet.Running;
using SloMonitor.Benchmarks.Slos;

// `put-load URL COUNT CLIENTS [TOKEN]` is a load run against a running service; anything else picks benchmarks.
if (args is ["put-load", ..])
{
    return await SloPutLoad.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(SloListBenchmarks).Assembly).Run(args);
return 0;
