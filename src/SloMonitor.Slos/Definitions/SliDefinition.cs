namespace SloMonitor.Slos.Definitions;

public enum SliKind
{
    Availability,
    Ratio,
    Latency,
    Gauge,
    Composite,
}

public enum SliSource
{
    Spans,
    Metrics,

    /// <summary>A composite's: the readings of other SLOs.</summary>
    Slos,
}

/// <summary>How a composite SLI combines its parts.</summary>
public enum CompositeCombine
{
    /// <summary>Good and total are the weighted sums of the parts' good and total events.</summary>
    Events,

    /// <summary>The SLI is the weighted mean of the parts' SLIs (parts without data left out).</summary>
    Ratio,
}

/// <summary>One SLO a composite is made of, with its weight.</summary>
public sealed record CompositePart(string Slo, double Weight);

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

    /// <summary>
    /// How long after its end a time slice waits for late data before it is judged: a 60-second metric export
    /// interval plus 30 seconds of batching and transport.
    /// </summary>
    public static readonly TimeSpan DefaultLateness = TimeSpan.FromSeconds(90);

    /// <summary>The SLOs a composite SLI is made of; empty for other kinds.</summary>
    public IReadOnlyList<CompositePart> Parts { get; init; } = [];

    /// <summary>How a composite SLI combines its parts.</summary>
    public CompositeCombine Combine { get; init; }

    /// <summary>The lateness allowance of time slices (<c>lateness: 2m</c>); null for the default.</summary>
    public TimeSpan? Lateness { get; init; }

    /// <summary>The allowance in effect for time-slice SLIs; zero for event SLIs, which count late events whenever they come.</summary>
    public TimeSpan SliceLateness => IsTimeslice ? Lateness ?? DefaultLateness : TimeSpan.Zero;

    /// <summary>True when the budget is counted in time slices rather than events (gauges, percentile latency).</summary>
    public bool IsTimeslice => Kind == SliKind.Gauge || (Kind == SliKind.Latency && Percentile is not null);

    public TimeSpan SliceLength => Timeslice ?? DefaultTimeslice;

    /// <summary>
    /// What the recorded data depends on, as text: every field but the lateness, which only decides when a slice is
    /// judged. Kept in the form of the record's printout before the lateness existed, so checkpoints stay readable.
    /// </summary>
    public string DataIdentity() => string.Create(
        System.Globalization.CultureInfo.CurrentCulture,
        $"SliDefinition {{ Kind = {Kind}, Source = {Source}, Match = {Match}, Bad = {Bad}, Good = {Good}, Total = {Total}, Metric = {Metric}, Threshold = {Threshold}, Percentile = {Percentile}, Timeslice = {Timeslice}, Aggregation = {Aggregation}, IsTimeslice = {IsTimeslice}, SliceLength = {SliceLength} }}");
}
