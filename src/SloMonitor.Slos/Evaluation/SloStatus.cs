using System.Text.Json.Serialization;

namespace SloMonitor.Slos.Evaluation;

/// <summary>p50/p95/p99 in seconds, from the window's histogram (null when the window is empty).</summary>
public sealed record LatencySummary(double? P50, double? P95, double? P99);

/// <summary>
/// One window's reading. <see cref="Good"/> and <see cref="Total"/> count events, or slices for time-slice SLIs;
/// <see cref="Rate"/> is events per second; ratios are null when the window holds no data. <see cref="Latency"/>
/// is present for latency SLIs only (and left out of JSON otherwise).
/// </summary>
public sealed record WindowStatus(
    long Good,
    long Total,
    double? Rate,
    double? Sli,
    double? ErrorRate,
    double? BurnRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LatencySummary? Latency);

/// <summary>The budget over the SLO window, in events (or slices): allowed, consumed and what is left.</summary>
public sealed record ErrorBudgetStatus(double Total, double Consumed, double Remaining, double? RemainingRatio, DateTimeOffset? ExhaustsAt);

/// <summary>
/// An active burn-rate (or no-data) alert. It stays active while a rule of its severity holds and for the SLO's
/// <c>resolveAfter</c> after the last evaluation where one held; <see cref="Since"/> is when it became active.
/// </summary>
public sealed record ActiveAlert(string Severity, string LongWindow, string ShortWindow, double Threshold, double LongBurnRate, double ShortBurnRate, DateTimeOffset Since);

/// <summary>The state of an SLO (or of one group of it) at <see cref="EvaluatedAt"/>.</summary>
public sealed record SloStatus(
    string State,
    IReadOnlyDictionary<string, WindowStatus> Windows,
    ErrorBudgetStatus ErrorBudget,
    IReadOnlyList<ActiveAlert> Alerts,
    DateTimeOffset EvaluatedAt)
{
    public const string Ok = "ok";
    public const string Ticket = "ticket";
    public const string Page = "page";
    public const string NoData = "nodata";

    /// <summary>Problems with the data itself, e.g. groups dropped past the cardinality cap.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
