namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// What one window of a track holds: good and total events (or slices), the events behind them (for the rate;
/// -1 when unknown, as for gauges) and the latency histogram's quantiles for latency SLIs.
/// </summary>
internal readonly record struct TrackReading(long Good, long Total, long Events, LatencySummary? Latency);
