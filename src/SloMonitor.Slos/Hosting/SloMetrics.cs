using Prometheus;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// The SLO series on /metrics, set after each evaluation round from the overall evaluation of each SLO (groups
/// are left out to bound cardinality). Series of SLOs that disappear are removed. Each tenant's SLO series live in a
/// registry of their own (<see cref="RegistryOf"/>), which /metrics adds to the service's own metrics for a caller of
/// that tenant only; the service-wide figures (evaluation time, memory, snapshot age) are in the default registry.
/// </summary>
public sealed class SloMetrics
{
    private static readonly Gauge SeriesBytes = Metrics.CreateGauge("slomon_sli_memory_bytes", "Estimated memory held by every SLO's SLI series (updated once a minute).");
    private static readonly Gauge SnapshotAge = Metrics.CreateGauge("slomon_evaluation_snapshot_age_seconds", "Time since the published SLO status was evaluated: the lag of what the API shows (at most about Slos:EvaluationInterval when rounds keep up).");
    private static readonly Histogram Duration = Metrics.CreateHistogram(
        "slomon_evaluation_duration_seconds", "Time to evaluate every SLO once.",
        new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TenantSeries> _tenants = new(StringComparer.Ordinal);

    public void ObserveDuration(TimeSpan duration) => Duration.Observe(duration.TotalSeconds);

    public void SetSeriesBytes(long bytes) => SeriesBytes.Set(bytes);

    /// <summary>Keeps <c>slomon_evaluation_snapshot_age_seconds</c> current at every scrape (every tenant is evaluated in the same round).</summary>
    public void WatchSnapshotAge(SloTenants tenants, TimeProvider time) =>
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() =>
            SnapshotAge.Set(tenants.Default.Engine.Status.RoundAt is { } at ? (time.GetUtcNow() - at).TotalSeconds : double.NaN));

    /// <summary>The registry of <paramref name="tenant"/>'s SLO series (empty until its first round).</summary>
    public CollectorRegistry RegistryOf(string tenant) => Series(tenant).Registry;

    public void Update(string tenant, IReadOnlyList<SloEvaluation> evaluations) => Series(tenant).Update(evaluations);

    private TenantSeries Series(string tenant) => _tenants.GetOrAdd(tenant, static _ => new TenantSeries());

    private sealed class TenantSeries
    {
        private readonly Lock _lock = new();
        private readonly Gauge _sliRatio;
        private readonly Gauge _burnRate;
        private readonly Gauge _budgetRemaining;
        private readonly Gauge _evaluationFailed;
        private readonly Gauge _alertActive;
        private HashSet<(string Slo, string Window)> _windows = [];
        private HashSet<(string Slo, string Window)> _budgets = [];
        private HashSet<string> _slos = [];

        public TenantSeries()
        {
            Registry = Metrics.NewCustomRegistry();
            var factory = Metrics.WithCustomRegistry(Registry);
            _sliRatio = factory.CreateGauge("slomon_sli_ratio", "Good ÷ total events (or slices) per SLO and window; NaN without data.", "slo", "window");
            _burnRate = factory.CreateGauge("slomon_burn_rate", "Error ratio ÷ (1 − objective) per SLO and window; NaN without data.", "slo", "window");
            _budgetRemaining = factory.CreateGauge("slomon_error_budget_remaining_ratio", "Share of the error budget left per SLO and SLO window (negative once overspent).", "slo", "window");
            _evaluationFailed = factory.CreateGauge("slomon_slo_evaluation_failed", "1 while the SLO's last evaluation failed (state error; its problems say why).", "slo");
            _alertActive = factory.CreateGauge("slomon_slo_alert_active", "1 while a burn-rate alert of this severity is active.", "slo", "severity");
        }

        public CollectorRegistry Registry { get; }

        public void Update(IReadOnlyList<SloEvaluation> evaluations)
        {
            lock (_lock)
            {
                var windows = new HashSet<(string, string)>();
                var budgets = new HashSet<(string, string)>();
                var slos = new HashSet<string>(StringComparer.Ordinal);
                foreach (var evaluation in evaluations)
                {
                    if (evaluation.GroupLabels.Count > 0)
                    {
                        continue;
                    }

                    var name = evaluation.Name;
                    slos.Add(name);
                    foreach (var (window, status) in evaluation.Status.Windows)
                    {
                        windows.Add((name, window));
                        _sliRatio.WithLabels(name, window).Set(status.Sli ?? double.NaN);
                        _burnRate.WithLabels(name, window).Set(status.BurnRate ?? double.NaN);
                    }

                    foreach (var (window, budget) in evaluation.Status.Budgets)
                    {
                        budgets.Add((name, window));
                        _budgetRemaining.WithLabels(name, window).Set(budget.RemainingRatio ?? double.NaN);
                    }

                    _evaluationFailed.WithLabels(name).Set(evaluation.State == SloStatus.Error ? 1 : 0);
                    var page = false;
                    var ticket = false;
                    foreach (var alert in evaluation.ActiveAlerts)
                    {
                        page |= alert.Severity == Definitions.AlertingPolicy.Page;
                        ticket |= alert.Severity == Definitions.AlertingPolicy.Ticket;
                    }

                    _alertActive.WithLabels(name, Definitions.AlertingPolicy.Page).Set(page ? 1 : 0);
                    _alertActive.WithLabels(name, Definitions.AlertingPolicy.Ticket).Set(ticket ? 1 : 0);
                }

                foreach (var (slo, window) in _windows)
                {
                    if (!windows.Contains((slo, window)))
                    {
                        _sliRatio.RemoveLabelled(slo, window);
                        _burnRate.RemoveLabelled(slo, window);
                    }
                }

                foreach (var (slo, window) in _budgets)
                {
                    if (!budgets.Contains((slo, window)))
                    {
                        _budgetRemaining.RemoveLabelled(slo, window);
                    }
                }

                foreach (var slo in _slos)
                {
                    if (!slos.Contains(slo))
                    {
                        _evaluationFailed.RemoveLabelled(slo);
                        _alertActive.RemoveLabelled(slo, Definitions.AlertingPolicy.Page);
                        _alertActive.RemoveLabelled(slo, Definitions.AlertingPolicy.Ticket);
                    }
                }

                _windows = windows;
                _budgets = budgets;
                _slos = slos;
            }
        }
    }
}
