using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(SloMonitor.Benchmarks.Slos.SloListBenchmarks).Assembly).Run(args);
