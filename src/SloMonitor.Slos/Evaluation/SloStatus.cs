using System.Text.Json.Serialization;

namespace SloMonitor.Slos.Evaluation;

/// <summary>p50/p95/p99 in seconds, from the window's histogram (null when the window is empty).</summary>
public sealed record LatencySummary(double? P50, double? P95, double? P99);

/// <summary>
/// One window's reading. <see cref="Good"/> and <see cref="Total"/> count events, or judged slices for time-slice
/// SLIs; <see cref="Rate"/> is events per second; ratios are null when the window holds no data. <see cref="Latency"/>
/// is present for latency SLIs only, and <see cref="PendingSlices"/> for time-slice SLIs only: slices of the window
/// that have data but are still within their lateness allowance, not judged yet (both left out of JSON otherwise).
/// </summary>
public sealed record WindowStatus(
    long Good,
    long Total,
    double? Rate,
    double? Sli,
    double? ErrorRate,
    double? BurnRate,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LatencySummary? Latency,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? PendingSlices = null);

/// <summary>The budget over the SLO window, in events (or slices): allowed, consumed and what is left.</summary>
public sealed record ErrorBudgetStatus(double Total, double Consumed, double Remaining, double? RemainingRatio, DateTimeOffset? ExhaustsAt)
{
    /// <summary>No figure: the SLO could not be evaluated.</summary>
    public static readonly ErrorBudgetStatus Unknown = new(0, 0, 0, null, null);
}

/// <summary>
/// An active burn-rate (or no-data) alert. It stays active while a rule of its severity holds and for the SLO's
/// <c>resolveAfter</c> after the last evaluation where one held; <see cref="Since"/> is when it became active.
/// </summary>
public sealed record ActiveAlert(string Severity, string LongWindow, string ShortWindow, double Threshold, double LongBurnRate, double ShortBurnRate, DateTimeOffset Since);

/// <summary>
/// The state of an SLO (or of one group of it) at <see cref="EvaluatedAt"/>. <see cref="ErrorBudget"/> is the budget
/// of the SLO window that drives alerting; <see cref="Budgets"/> has one per SLO window (<c>windows: [7d, 28d]</c>).
/// </summary>
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
    public const string Error = "error";

    /// <summary>The error budget of each SLO window, by its name (<c>28d</c>, <c>month</c>), the alerting window first.</summary>
    public IReadOnlyDictionary<string, ErrorBudgetStatus> Budgets { get; init; } = new Dictionary<string, ErrorBudgetStatus>();

    /// <summary>Problems with the data itself, e.g. groups dropped past the cardinality cap.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
