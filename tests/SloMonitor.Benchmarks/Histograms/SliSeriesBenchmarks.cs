using BenchmarkDotNet.Attributes;
using SloMonitor.Histograms;

namespace SloMonitor.Benchmarks.Histograms;

/// <summary>Recording into, rotating and reading one SLI series that has 30 days of data.</summary>
[MemoryDiagnoser]
public class SliSeriesBenchmarks
{
    private static readonly long Start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly long Now = Start + (long)TimeSpan.FromDays(30).TotalMilliseconds;
    private double[] _values = [];
    private SliSeries _ratio = null!;
    private SliSeries _latency = null!;
    private SliSeries _rotating = null!;
    private long _rotatingTime;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _values = BenchmarkData.Latencies(4096, seed: 3);
        _ratio = new SliSeries(new SliSeriesOptions());
        _latency = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        _rotating = new SliSeries(new SliSeriesOptions(WithHistogram: true));
        int i = 0;
        for (long time = Start; time <= Now; time += 10_000)
        {
            double value = _values[i++ & 4095];
            _ratio.RecordValue(time, value, value < 0.2);
            _latency.RecordValue(time, value, value < 0.2);
        }

        _rotatingTime = Now;
    }

    [Benchmark]
    public bool RecordRatio() => _ratio.Record(Now, 1, 1);

    [Benchmark]
    public bool RecordLatencyValue() => _latency.RecordValue(Now, _values[_next++ & 4095], true);

    /// <summary>Every call lands in a new 5 s slice, so each one recycles a slot of the finest tiers.</summary>
    [Benchmark]
    public bool RecordIntoANewSlice()
    {
        _rotatingTime += 5_000;
        return _rotating.RecordValue(_rotatingTime, 0.05, true);
    }

    [Benchmark]
    public long Read30dRatio() => _ratio.Read(Now, TimeSpan.FromDays(30)).Total;

    [Benchmark]
    public double Read30dP99() => _latency.Read(Now, TimeSpan.FromDays(30)).Histogram!.Quantile(0.99);

    [Benchmark]
    public double Read5mP99() => _latency.Read(Now, TimeSpan.FromMinutes(5)).Histogram!.Quantile(0.99);
}
