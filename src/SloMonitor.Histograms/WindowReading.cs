namespace SloMonitor.Histograms;

/// <summary>Exact good/total over a window, and its histogram when the series keeps one (null otherwise).</summary>
public readonly record struct WindowReading(long Good, long Total, HistogramSnapshot? Histogram);
