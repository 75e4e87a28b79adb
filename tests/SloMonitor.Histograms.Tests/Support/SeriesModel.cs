using SloMonitor.Histograms.Windows;

namespace SloMonitor.Histograms.Tests.Support;

/// <summary>
/// A brute-force model of the documented window semantics: it keeps every event and answers a window by scanning
/// them, so tests can compare <see cref="SliSeries"/> readings against it.
/// </summary>
internal sealed class SeriesModel(TimeSpan retention)
{
    private readonly List<Event> _events = [];
    private readonly long _retentionMs = (long)retention.TotalMilliseconds;
    private long _headMs = -1;

    public SliceTier[] CounterTiers { get; } = SliceTier.ForCounters((long)retention.TotalMilliseconds);

    public SliceTier[] HistogramTiers { get; } = SliceTier.ForHistograms((long)retention.TotalMilliseconds);

    public bool Record(long unixTimeMs, long good, long total, double value = double.NaN)
    {
        _headMs = Math.Max(_headMs, unixTimeMs);
        if (unixTimeMs < _headMs - _retentionMs)
        {
            return false;
        }

        _events.Add(new Event(unixTimeMs, good, total, value, _headMs));
        return true;
    }

    public (long Good, long Total) Expected(long nowMs, TimeSpan window)
    {
        long windowMs = (long)window.TotalMilliseconds;
        var tier = CounterTiers[SliceTier.Choose(CounterTiers, windowMs)];
        long first = (Math.Max(0, nowMs - windowMs) + tier.SliceMs - 1) / tier.SliceMs;
        long last = nowMs / tier.SliceMs;
        long good = 0;
        long total = 0;
        foreach (var e in Covered(tier, first, last))
        {
            good += e.Good;
            total += e.Total;
        }

        return (good, total);
    }

    public (long Good, long Total) ExpectedCalendar(long fromMs, long toMs)
    {
        var tier = CounterTiers[SliceTier.ChooseFrom(CounterTiers, fromMs, _headMs)];
        long first = (fromMs + tier.SliceMs - 1) / tier.SliceMs;
        long last = (toMs + tier.SliceMs - 1) / tier.SliceMs - 1;
        long good = 0;
        long total = 0;
        foreach (var e in Covered(tier, first, last))
        {
            good += e.Good;
            total += e.Total;
        }

        return (good, total);
    }

    /// <summary>The values a window's histogram must hold.</summary>
    public HistogramSnapshot ExpectedHistogram(long nowMs, TimeSpan window, int scale)
    {
        long windowMs = (long)window.TotalMilliseconds;
        var tier = HistogramTiers[SliceTier.Choose(HistogramTiers, windowMs)];
        long first = (Math.Max(0, nowMs - windowMs) + tier.SliceMs - 1) / tier.SliceMs;
        var histogram = new ExponentialHistogram(scale);
        foreach (var e in Covered(tier, first, nowMs / tier.SliceMs))
        {
            if (!double.IsNaN(e.Value))
            {
                histogram.Record(e.Value);
            }
        }

        return histogram.Snapshot();
    }

    private IEnumerable<Event> Covered(SliceTier tier, long firstSlice, long lastSlice)
    {
        foreach (var e in _events)
        {
            long slice = e.TimeMs / tier.SliceMs;
            bool kept = slice > e.HeadAtRecordMs / tier.SliceMs - tier.Slots;
            if (kept && slice >= firstSlice && slice <= lastSlice)
            {
                yield return e;
            }
        }
    }

    private sealed record Event(long TimeMs, long Good, long Total, double Value, long HeadAtRecordMs);
}
