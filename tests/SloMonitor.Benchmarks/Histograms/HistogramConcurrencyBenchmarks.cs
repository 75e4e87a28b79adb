using BenchmarkDotNet.Attributes;
using SloMonitor.Histograms;
using SloMonitor.Histograms.Buckets;

namespace SloMonitor.Benchmarks.Histograms;

/// <summary>
/// Throughput of one histogram recorded into from 1 or 2 threads, per record across all threads (lower is better):
/// the striped <see cref="ExponentialHistogram"/> against one shared bucket array updated with Interlocked.
/// </summary>
public class HistogramConcurrencyBenchmarks
{
    private const int TotalRecords = 4_000_000;
    private double[] _values = [];
    private ExponentialHistogram _histogram = null!;
    private SharedArrayHistogram _shared = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _values = BenchmarkData.Latencies(8192, seed: 2);
        _histogram = new ExponentialHistogram();
        _shared = new SharedArrayHistogram();
        foreach (double value in _values)
        {
            _histogram.Record(value);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalRecords)]
    public void Striped() => Run(RecordStriped);

    [Benchmark(OperationsPerInvoke = TotalRecords)]
    public void SharedBucketArray() => Run(RecordShared);

    private void RecordStriped(int offset, int count)
    {
        var values = _values;
        var histogram = _histogram;
        for (int i = 0; i < count; i++)
        {
            histogram.Record(values[(i + offset) & (8192 - 1)]);
        }
    }

    private void RecordShared(int offset, int count)
    {
        var values = _values;
        var histogram = _shared;
        for (int i = 0; i < count; i++)
        {
            histogram.Record(values[(i + offset) & (8192 - 1)]);
        }
    }

    private void Run(Action<int, int> loop)
    {
        int perThread = TotalRecords / Threads;
        var threads = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int offset = t * 1024;
            threads[t] = new Thread(() => loop(offset, perThread));
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>The naive design: every thread increments one dense array.</summary>
    private sealed class SharedArrayHistogram
    {
        private readonly ExponentialIndexer _indexer = ExponentialIndexer.For(5);
        private readonly long[] _counts = new long[70_000];
        private readonly int _offset = -ExponentialIndexer.IndexRange(5).Min;

        public void Record(double value) => Interlocked.Increment(ref _counts[_indexer.Index(value) + _offset]);
    }
}
