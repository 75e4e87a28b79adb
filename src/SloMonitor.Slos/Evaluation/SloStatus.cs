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
/// <remarks>
/// A round holds one of these per window of every SLO and group until it publishes them (nine or more each), and each
/// collection during the round copies what it holds: so it is a struct, inline in its status's array, with the
/// optional figures kept as plain numbers and a bit each saying whether they are there, and the SLI and error rate
/// worked out from the counts (56 bytes, where a record class of nullable fields took 120 and an object of its own).
/// </remarks>
public record struct WindowStatus
{
    private const byte HasRate = 1, HasBurnRate = 2, HasPending = 4;

    private double _rate;
    private double _burnRate;
    private long _pending;
    private byte _present; // set by the constructor and the init accessors only

    public WindowStatus(long good, long total, double? rate, double? burnRate, LatencySummary? latency, long? pendingSlices = null)
    {
        Good = good;
        Total = total;
        Latency = latency;
        Rate = rate;
        BurnRate = burnRate;
        PendingSlices = pendingSlices;
    }

    public long Good { get; init; }

    public long Total { get; init; }

    public double? Rate
    {
        readonly get => Get(HasRate, _rate);
        init => Set(HasRate, ref _rate, value);
    }

    /// <summary>Good over total; null when the window holds no data.</summary>
    public readonly double? Sli => Total == 0 ? null : (double)Good / Total;

    /// <summary>1 − <see cref="Sli"/>.</summary>
    public readonly double? ErrorRate => 1 - Sli;

    public double? BurnRate
    {
        readonly get => Get(HasBurnRate, _burnRate);
        init => Set(HasBurnRate, ref _burnRate, value);
    }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LatencySummary? Latency { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? PendingSlices
    {
        readonly get => (_present & HasPending) == 0 ? null : _pending;
        init
        {
            _pending = value ?? 0;
            Mark(HasPending, value is not null);
        }
    }

    private readonly double? Get(byte flag, double value) => (_present & flag) == 0 ? null : value;

    private void Set(byte flag, ref double field, double? value)
    {
        field = value ?? 0;
        Mark(flag, value is not null);
    }

    private void Mark(byte flag, bool present) => _present = (byte)(present ? _present | flag : _present & ~flag);
}

/// <summary>The budget over the SLO window, in events (or slices): allowed, consumed and what is left.</summary>
public sealed record ErrorBudgetStatus(double Total, double Consumed, double Remaining, double? RemainingRatio, DateTimeOffset? ExhaustsAt)
{
    /// <summary>No figure: the SLO could not be evaluated.</summary>
    public static readonly ErrorBudgetStatus Unknown = new(0, 0, 0, null, null);
}

/// <summary>
/// An active alert: burn-rate, no-data or budget. It stays active while a rule of its kind and severity holds and for
/// the SLO's <c>resolveAfter</c> after the last evaluation where one held; <see cref="Since"/> is when it became
/// active. A no-data alert has <see cref="LongWindow"/> <c>nodata</c>. A budget alert has <see cref="LongWindow"/>
/// <c>budgetExhaustion</c> or <c>budgetRemaining</c>: for the first, <see cref="ShortWindow"/> is the window whose
/// burn rate (both burn-rate fields) forecasts the end of the budget and <see cref="Threshold"/> the burn rate at which
/// it would run out exactly at the horizon; for the second, <see cref="ShortWindow"/> is the SLO window,
/// <see cref="Threshold"/> the level and both burn-rate fields the burn rate over the SLO window.
/// </summary>
public sealed record ActiveAlert(string Severity, string LongWindow, string ShortWindow, double Threshold, double LongBurnRate, double ShortBurnRate, DateTimeOffset Since)
{
    public const string BurnRateKind = "burnRate";
    public const string NoDataKind = "nodata";
    public const string BudgetExhaustionKind = "budgetExhaustion";
    public const string BudgetRemainingKind = "budgetRemaining";

    /// <summary><c>burnRate</c>, <c>nodata</c>, <c>budgetExhaustion</c> or <c>budgetRemaining</c>.</summary>
    public string Kind => LongWindow switch
    {
        NoDataKind => NoDataKind,
        BudgetExhaustionKind => BudgetExhaustionKind,
        BudgetRemainingKind => BudgetRemainingKind,
        _ => BurnRateKind,
    };

    /// <summary>Budget alerts: the remaining share of the budget when the alert last held.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? RemainingRatio { get; init; }

    /// <summary>Budget alerts: when the budget runs out at the burn rate of the forecast window (null when nothing burns).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? ExhaustsAt { get; init; }

    /// <summary><c>budgetExhaustion</c> alerts: the horizon the forecast is compared with (<c>3d</c>, or the SLO window's end).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Within { get; init; }
}

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

    private static readonly IReadOnlyDictionary<string, ErrorBudgetStatus> NoBudgets = new Dictionary<string, ErrorBudgetStatus>();

    /// <summary>The error budget of each SLO window, by its name (<c>28d</c>, <c>month</c>), the alerting window first.</summary>
    public IReadOnlyDictionary<string, ErrorBudgetStatus> Budgets { get; init; } = NoBudgets;

    /// <summary>Problems with the data itself, e.g. groups dropped past the cardinality cap.</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];
}
