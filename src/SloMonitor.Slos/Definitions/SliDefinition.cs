namespace SloMonitor.Slos.Definitions;

public enum SliKind
{
    Availability,
    Ratio,
    Latency,
    Gauge,
}

public enum SliSource
{
    Spans,
    Metrics,
}

public enum GaugeAggregationKind
{
    Max,
    Avg,
}

/// <summary>
/// What counts as good and total. Selector strings are kept as written (Prometheus matcher syntax) and compiled
/// by the engine. Latency thresholds are in seconds; gauge thresholds in the gauge's own unit.
/// </summary>
public sealed record SliDefinition(
    SliKind Kind,
    SliSource Source,
    string? Match = null,
    string? Bad = null,
    string? Good = null,
    string? Total = null,
    string? Metric = null,
    double? Threshold = null,
    double? Percentile = null,
    TimeSpan? Timeslice = null,
    GaugeAggregationKind Aggregation = GaugeAggregationKind.Max)
{
    public static readonly TimeSpan DefaultTimeslice = TimeSpan.FromMinutes(1);

    /// <summary>True when the budget is counted in time slices rather than events (gauges, percentile latency).</summary>
    public bool IsTimeslice => Kind == SliKind.Gauge || (Kind == SliKind.Latency && Percentile is not null);

    public TimeSpan SliceLength => Timeslice ?? DefaultTimeslice;
}
