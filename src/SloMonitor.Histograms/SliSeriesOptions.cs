namespace SloMonitor.Histograms;

/// <summary>
/// Options of one <see cref="SliSeries"/>: whether it keeps a latency histogram beside the exact counters, the
/// histogram scale, and the retention (default 30 days), which is the longest window it can answer.
/// </summary>
public sealed record SliSeriesOptions(bool WithHistogram = false, int Scale = 5, TimeSpan? Retention = null)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    public TimeSpan EffectiveRetention => Retention ?? DefaultRetention;
}
