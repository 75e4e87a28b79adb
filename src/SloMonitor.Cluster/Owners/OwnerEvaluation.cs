using System.Collections.Immutable;
using Orleans;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Cluster.Owners;

/// <summary>
/// An owner's last evaluation of its SLO, as it travels between silos: the overall status, one per group (ordered by
/// their values), when it was made and the silo that made it. <see cref="Defined"/> is false while the owner's silo
/// does not know the SLO. Latency quantiles are in every window of a latency SLI (the owner reads them from its
/// histograms), so a reader elsewhere needs none of the owner's series.
/// </summary>
[GenerateSerializer]
[Immutable]
public sealed record OwnerEvaluation(bool Defined, string Silo, OwnerStatus? Overall, OwnerGroup[] Groups)
{
    /// <summary>The evaluation of an SLO as its engine published it, with latency quantiles read.</summary>
    internal static OwnerEvaluation Of(EvaluatedSlo slo, string silo)
    {
        var (overall, groups) = slo.WithLatency();
        var list = new OwnerGroup[groups.Count];
        for (var i = 0; i < list.Length; i++)
        {
            list[i] = new OwnerGroup([.. groups[i].GroupLabels.Keys], [.. groups[i].GroupLabels.Values], OwnerStatus.Of(groups[i].Status));
        }

        return new OwnerEvaluation(true, silo, OwnerStatus.Of(overall.Status), list);
    }
}

/// <summary>One group of an <see cref="OwnerEvaluation"/>: its attribute names and values, in the same order, and its status.</summary>
[GenerateSerializer]
[Immutable]
public sealed record OwnerGroup(string[] Keys, string[] Values, OwnerStatus Status)
{
    public IReadOnlyDictionary<string, string> Labels()
    {
        var labels = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Keys.Length; i++)
        {
            labels[Keys[i]] = Values[i];
        }

        return labels.ToImmutable();
    }
}

/// <summary>A <see cref="SloStatus"/> field for field: its windows and budgets in the order the status lists them.</summary>
[GenerateSerializer]
[Immutable]
public sealed record OwnerStatus(
    string State,
    OwnerWindow[] Windows,
    OwnerBudget ErrorBudget,
    OwnerBudget[] Budgets,
    ActiveAlertFigures[] Alerts,
    string[] Problems,
    DateTimeOffset EvaluatedAt)
{
    internal static OwnerStatus Of(SloStatus status) => new(
        status.State,
        [.. status.Windows.Select(w => OwnerWindow.Of(w.Key, w.Value))],
        OwnerBudget.Of("", status.ErrorBudget),
        [.. status.Budgets.Select(b => OwnerBudget.Of(b.Key, b.Value))],
        [.. status.Alerts.Select(ActiveAlertFigures.Of)],
        [.. status.Problems],
        status.EvaluatedAt);

    /// <summary>The status again, equal to the one it was made of.</summary>
    public SloStatus ToStatus()
    {
        var windows = new Dictionary<string, WindowStatus>(Windows.Length, StringComparer.Ordinal); // in the status' order
        foreach (var window in Windows)
        {
            windows[window.Name] = window.ToStatus();
        }

        var budgets = new Dictionary<string, ErrorBudgetStatus>(StringComparer.Ordinal);
        foreach (var budget in Budgets)
        {
            budgets[budget.Name] = budget.ToStatus();
        }

        return new SloStatus(State, windows, ErrorBudget.ToStatus(), Array.ConvertAll(Alerts, a => a.ToAlert()), EvaluatedAt)
        {
            Budgets = budgets,
            Problems = Problems,
        };
    }
}

/// <summary>One window of an <see cref="OwnerStatus"/> (<see cref="HasLatency"/>: the quantiles are there, each may be null).</summary>
[GenerateSerializer]
[Immutable]
public sealed record OwnerWindow(
    string Name, long Good, long Total, double? Rate, double? BurnRate,
    bool HasLatency, double? P50, double? P95, double? P99, long? PendingSlices)
{
    internal static OwnerWindow Of(string name, WindowStatus w) =>
        new(name, w.Good, w.Total, w.Rate, w.BurnRate, w.Latency is not null, w.Latency?.P50, w.Latency?.P95, w.Latency?.P99, w.PendingSlices);

    internal WindowStatus ToStatus() =>
        new(Good, Total, Rate, BurnRate, HasLatency ? new LatencySummary(P50, P95, P99) : null, PendingSlices);
}

/// <summary>One budget of an <see cref="OwnerStatus"/>, under its SLO window's name.</summary>
[GenerateSerializer]
[Immutable]
public sealed record OwnerBudget(string Name, double Total, double Consumed, double Remaining, double? RemainingRatio, DateTimeOffset? ExhaustsAt)
{
    internal static OwnerBudget Of(string name, ErrorBudgetStatus b) => new(name, b.Total, b.Consumed, b.Remaining, b.RemainingRatio, b.ExhaustsAt);

    internal ErrorBudgetStatus ToStatus() => new(Total, Consumed, Remaining, RemainingRatio, ExhaustsAt);
}

/// <summary>An <see cref="ActiveAlert"/> of an <see cref="OwnerStatus"/>, with its budget fields.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ActiveAlertFigures(
    string Severity, string LongWindow, string ShortWindow, double Threshold, double LongBurnRate, double ShortBurnRate, DateTimeOffset Since,
    double? RemainingRatio, DateTimeOffset? ExhaustsAt, string? Within)
{
    internal static ActiveAlertFigures Of(ActiveAlert a) =>
        new(a.Severity, a.LongWindow, a.ShortWindow, a.Threshold, a.LongBurnRate, a.ShortBurnRate, a.Since, a.RemainingRatio, a.ExhaustsAt, a.Within);

    internal ActiveAlert ToAlert() =>
        new(Severity, LongWindow, ShortWindow, Threshold, LongBurnRate, ShortBurnRate, Since) { RemainingRatio = RemainingRatio, ExhaustsAt = ExhaustsAt, Within = Within };
}
