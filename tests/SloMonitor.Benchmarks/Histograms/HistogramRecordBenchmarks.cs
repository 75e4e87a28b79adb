using BenchmarkDotNet.Attributes;
using Prometheus;
using SloMonitor.Histograms;

namespace SloMonitor.Benchmarks.Histograms;

/// <summary>Single-threaded cost of one recorded value, against prometheus-net's histogram as the anchor.</summary>
[MemoryDiagnoser]
public class HistogramRecordBenchmarks
{
    private const int Batch = 4096;
    private double[] _values = [];
    private ExponentialHistogram _histogram = null!;
    private Histogram _prometheus = null!;

    [GlobalSetup]
    public void Setup()
    {
        _values = BenchmarkData.Latencies(Batch, seed: 1);
        _histogram = new ExponentialHistogram();
        var factory = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
        _prometheus = factory.CreateHistogram("latency_seconds", "benchmark", new HistogramConfiguration
        {
            Buckets = Histogram.ExponentialBuckets(0.001, 2, 14),
        });
        foreach (double value in _values)
        {
            _histogram.Record(value);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public void ExponentialHistogramRecord()
    {
        var histogram = _histogram;
        foreach (double value in _values)
        {
            histogram.Record(value);
        }
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void PrometheusNetObserve()
    {
        var histogram = _prometheus;
        foreach (double value in _values)
        {
            histogram.Observe(value);
        }
    }

    [Benchmark]
    public double SnapshotAndP99() => _histogram.Snapshot().Quantile(0.99);
}
