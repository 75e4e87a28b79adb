using BenchmarkDotNet.Attributes;
using SloMonitor.Histograms;

namespace SloMonitor.Benchmarks.Histograms;

/// <summary>
/// Throughput of one <see cref="SliSeries"/> recorded into from 1 or 2 threads, per record across all threads
/// (lower is better). Event times advance by 1 ms every 256 records of a thread, so slices rotate and buffers fold
/// during the run as they would under live traffic.
/// </summary>
public class SliSeriesConcurrencyBenchmarks
{
    private const int TotalRecords = 4_000_000;
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private double[] _values = [];
    private SliSeries _ratio = null!;
    private SliSeries _latency = null!;
    private long _epoch;

    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>With 2 threads: they start on the same write stripe, as two pool threads may (their numbers are equal modulo the stripe count).</summary>
    [Params(false, true)]
    public bool StartOnOneStripe { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _values = BenchmarkData.Latencies(8192, seed: 5);
        _ratio = new SliSeries(new SliSeriesOptions());
        _latency = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        _epoch = Start;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalRecords)]
    public void RecordRatio() => Run((first, offset, count) =>
    {
        var series = _ratio;
        for (int i = 0; i < count; i++)
        {
            series.Record(first + (i >> 8), 1, 1);
        }
    });

    [Benchmark(OperationsPerInvoke = TotalRecords)]
    public void RecordLatencyValue() => Run((first, offset, count) =>
    {
        var series = _latency;
        var values = _values;
        for (int i = 0; i < count; i++)
        {
            double value = values[(i + offset) & (8192 - 1)];
            series.RecordValue(first + (i >> 8), value, value < 0.2);
        }
    });

    private void Run(Action<long, int, int> loop)
    {
        int perThread = TotalRecords / Threads;
        long first = _epoch;
        _epoch += (perThread >> 8) + 1;
        var threads = new Thread[Threads];
        int firstNumber = 0;
        using var numbered = new CountdownEvent(1);
        for (int t = 0; t < Threads; t++)
        {
            int offset = t * 1024;
            bool leader = t == 0;
            threads[t] = new Thread(() =>
            {
                if (leader)
                {
                    firstNumber = ThreadNumbers.Current();
                    numbered.Signal();
                }
                else if (StartOnOneStripe)
                {
                    numbered.Wait();
                    while ((ThreadNumbers.Current() & (SliSeries.MaxStripes - 1)) != (firstNumber & (SliSeries.MaxStripes - 1)))
                    {
                        ThreadNumbers.MoveOn();
                    }
                }

                loop(first, offset, perThread);
            });
            threads[t].Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }
}
