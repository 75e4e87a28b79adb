using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Recording;

/// <summary>
/// What one window of a track holds: good and total events (or judged slices), the events behind them (for the
/// rate; -1 when unknown, as for gauges), the latency histogram's quantiles for latency SLIs, and for time-slice SLIs
/// the slices with data still waiting for late data (-1 for other SLIs).
/// </summary>
internal readonly record struct TrackReading(long Good, long Total, long Events, LatencySummary? Latency, long Pending = -1);
