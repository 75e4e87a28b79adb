using BenchmarkDotNet.Attributes;
using SloMonitor.Histograms;
using SloMonitor.Histograms.Windows;

namespace SloMonitor.Benchmarks.Histograms;

/// <summary>
/// Bytes per series with every slice of every window up to 30 days filled, over 10,000 series. The bytes kept
/// (measured with a full GC before and after) are printed as "retained bytes per series"; "Allocated" also counts
/// slices recycled while filling. A latency series gets, in every histogram slice, the buckets of 100,000
/// log-normal latencies (median 50 ms). Then threads record into every series for two 30-second periods, so
/// that every write stripe holds its current buffer and its spare (with a histogram page for every bucket the
/// latencies reach), as under live traffic.
/// </summary>
[MemoryDiagnoser]
public class SeriesMemoryBenchmarks
{
    private const int SeriesCount = 10_000;
    private static readonly long Now = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private long[] _counterTimes = [];
    private long[] _histogramTimes = [];
    private HistogramSnapshot _distribution = null!;
    private ulong[] _buckets = [];
    private double[] _latencies = [];
    private List<SliSeries>? _kept;

    [GlobalSetup]
    public void Setup()
    {
        long retention = (long)SliSeriesOptions.DefaultRetention.TotalMilliseconds;
        _counterTimes = SliceStarts(SliceTier.ForCounters(retention));
        _histogramTimes = SliceStarts(SliceTier.ForHistograms(retention));
        var histogram = new ExponentialHistogram();
        foreach (double value in BenchmarkData.Latencies(100_000, seed: 4))
        {
            histogram.Record(value);
        }

        _distribution = histogram.Snapshot();
        _latencies = BenchmarkData.Latencies(1_000, seed: 6);
        _buckets = [.. _distribution.BucketCounts.ToArray().Select(c => (ulong)c)];
    }

    [IterationCleanup]
    public void Cleanup() => _kept = null;

    [Benchmark(OperationsPerInvoke = SeriesCount)]
    public long RatioSeries()
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        _kept = new List<SliSeries>(SeriesCount);
        for (int s = 0; s < SeriesCount; s++)
        {
            var series = new SliSeries(new SliSeriesOptions());
            foreach (long time in _counterTimes)
            {
                series.Record(time, 1, 1);
            }

            _kept.Add(series);
        }

        FillStripes(_kept, [1.0]);
        Report(before);
        return _kept[^1].Read(Now, TimeSpan.FromDays(30)).Total;
    }

    [Benchmark(OperationsPerInvoke = SeriesCount)]
    public long LatencySeries()
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        _kept = new List<SliSeries>(SeriesCount);
        for (int s = 0; s < SeriesCount; s++)
        {
            var series = new SliSeries(new SliSeriesOptions(WithHistogram: true));
            foreach (long time in _counterTimes)
            {
                series.Record(time, 1, 1);
            }

            foreach (long time in _histogramTimes)
            {
                series.MergeExponential(time, _distribution.Scale, 0, _distribution.IndexOffset, _buckets);
            }

            _kept.Add(series);
        }

        FillStripes(_kept, _latencies);
        Report(before);
        return _kept[^1].Read(Now, TimeSpan.FromDays(30)).Histogram!.Count;
    }

    /// <summary>Twice as many threads as a series has stripes at most, each recording the values in two periods.</summary>
    private static void FillStripes(List<SliSeries> series, double[] values)
    {
        var threads = Enumerable.Range(0, 2 * SliSeries.MaxStripes).Select(_ => new Thread(() =>
        {
            foreach (var s in series)
            {
                foreach (long time in new[] { Now - 30_000, Now })
                {
                    foreach (double value in values)
                    {
                        s.RecordValue(time, value, value < 0.2);
                    }
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
    }

    private void Report(long before)
    {
        long retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Console.WriteLine($"// retained bytes per series: {retained / SeriesCount:N0}; estimated: {_kept![0].EstimateBytes():N0}; stripes in use: {_kept[0].StripesInUse}");
    }

    /// <summary>One time in every slice of every tier over the 30 days, oldest first.</summary>
    private static long[] SliceStarts(SliceTier[] tiers)
    {
        var times = new SortedSet<long>();
        foreach (var tier in tiers)
        {
            for (long t = Now - tier.SpanMs; t <= Now; t += tier.SliceMs)
            {
                times.Add(t - t % tier.SliceMs);
            }
        }

        return [.. times];
    }
}
