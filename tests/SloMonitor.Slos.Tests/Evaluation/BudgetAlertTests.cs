using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

/// <summary>
/// Budget alerts on a fake clock. The data of most tests: 98,000 good spans two days ago and, half an hour ago,
/// 2,000 spans of which 30 failed. A 99.9 % SLO over 30 days then allows 100 bad events, has spent 30 (70 % left) and
/// burns at 15 over the last hour, so the budget runs out in 0.7 × 30 d ÷ 15 = 1.4 days.
/// </summary>
public sealed class BudgetAlertTests
{
    private const string Availability = "kind: availability\nmatch: 'span.kind=\"server\"'";

    private static EngineHarness Burning(string alerting, int recentBad = 30, TimeSpan? recentAgo = null)
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, "alerting:\n  " + alerting.Replace("\n", "\n  ", StringComparison.Ordinal)));
        harness.Spans("checkout", TimeSpan.FromDays(2), 98_000, 0);
        harness.Spans("checkout", recentAgo ?? TimeSpan.FromMinutes(30), 2_000, recentBad);
        return harness;
    }

    /// <summary>The same spent budget, its errors two days old: no burn-rate pair holds, only budget alerts can.</summary>
    private static EngineHarness Spent(string alerting) => Burning(alerting, recentAgo: TimeSpan.FromDays(2));

    private static List<ActiveAlert> BudgetAlertsOf(SloEvaluation evaluation) =>
        evaluation.ActiveAlerts.Where(a => a.Kind != ActiveAlert.BurnRateKind).ToList();

    [Fact]
    public void ABudgetThatRunsOutWithinTheHorizonAtTheHourlyBurnRateRaisesAnExhaustionAlertWithTheForecast()
    {
        var harness = Burning("budgetExhaustion: {window: 1h, within: 2d, severity: page}");

        var evaluation = harness.Evaluate("pay");

        var alert = Assert.Single(evaluation.ActiveAlerts, a => a.Kind == ActiveAlert.BudgetExhaustionKind);
        Assert.Equal(("page", "1h", "2d"), (alert.Severity, alert.ShortWindow, alert.Within));
        Assert.Equal(15, alert.LongBurnRate, 9);
        Assert.Equal(0.7, alert.RemainingRatio!.Value, 9);
        Assert.Equal(harness.Now + TimeSpan.FromDays(1.4), alert.ExhaustsAt);
        Assert.Equal(10.5, alert.Threshold, 9); // the burn rate that would last exactly two days: 0.7 × 30 ÷ 2
        Assert.Equal("page", evaluation.State);
    }

    [Fact]
    public void ABudgetThatLastsBeyondTheHorizonRaisesNoExhaustionAlert()
    {
        var harness = Burning("budgetExhaustion: {window: 1h, within: 1d, severity: page}");

        var evaluation = harness.Evaluate("pay");

        Assert.DoesNotContain(evaluation.ActiveAlerts, a => a.Kind == ActiveAlert.BudgetExhaustionKind);
        Assert.Equal(harness.Now + TimeSpan.FromDays(1.4), evaluation.Status.ErrorBudget.ExhaustsAt);
    }

    [Fact]
    public void WithoutAHorizonTheForecastIsComparedWithTheEndOfTheWindow()
    {
        // 1 failure in 2,000: a burn rate of 0.5 lasts 99.9 % of the budget 59.9 days, longer than the 30-day window.
        var healthy = Burning("budgetExhaustion: {window: 1h, severity: ticket}", recentBad: 1);
        Assert.Empty(BudgetAlertsOf(healthy.Evaluate("pay")));

        var burning = Burning("budgetExhaustion: {window: 1h, severity: ticket}");
        var alert = Assert.Single(BudgetAlertsOf(burning.Evaluate("pay")));
        Assert.Equal((ActiveAlert.BudgetExhaustionKind, "ticket", "30d"), (alert.Kind, alert.Severity, alert.Within));
    }

    [Fact]
    public void TheExhaustionForecastNeedsMinEventsInItsWindow()
    {
        var harness = Burning("minEvents: 5000\nbudgetExhaustion: {window: 1h, within: 2d, severity: page}");

        Assert.Empty(BudgetAlertsOf(harness.Evaluate("pay")));
    }

    [Fact]
    public void ARemainingShareBelowTheLevelRaisesItsSeverityAndResolvesAfterResolveAfterOnceTheShareIsBack()
    {
        var harness = Spent("budgetRemaining:\n  - {below: 0.5, severity: page}\n  - {below: 0.75, severity: ticket}\nresolveAfter: 5m");

        var evaluation = harness.Evaluate("pay");

        var alert = Assert.Single(evaluation.ActiveAlerts);
        Assert.Equal((ActiveAlert.BudgetRemainingKind, "ticket", "30d", 0.75), (alert.Kind, alert.Severity, alert.ShortWindow, alert.Threshold));
        Assert.Equal(0.7, alert.RemainingRatio!.Value, 9);
        Assert.Equal("ticket", evaluation.State);

        // 100,000 more good spans double the budget: 85 % of it is left.
        harness.Spans("checkout", TimeSpan.FromMinutes(10), 100_000, 0);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Single(harness.Evaluate("pay").ActiveAlerts); // still within resolveAfter
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var resolved = harness.Evaluate("pay");
        Assert.Empty(resolved.ActiveAlerts);
        Assert.Equal(0.85, resolved.ErrorBudgetRemainingRatio!.Value, 9);
        Assert.Equal("ok", resolved.State);
    }

    [Fact]
    public void AnSloWithoutEventsRaisesNoBudgetAlert()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, "alerting:\n  budgetRemaining: {below: 1, severity: page}\n  budgetExhaustion: {window: 1h, severity: page}"));

        var evaluation = harness.Evaluate("pay");

        Assert.Empty(evaluation.ActiveAlerts);
        Assert.Equal("nodata", evaluation.State);
    }

    [Fact]
    public void ABudgetAlertKeepsItsStartAcrossACheckpointRestore()
    {
        var harness = Spent("budgetRemaining: {below: 0.75, severity: ticket}");
        var since = Assert.Single(harness.Evaluate("pay").ActiveAlerts).Since;
        harness.Time.Advance(TimeSpan.FromMinutes(2));

        var restored = new EngineHarness(EngineHarness.Slo("pay", Availability, "alerting:\n  budgetRemaining: {below: 0.75, severity: ticket}"));
        restored.Engine.Restore(harness.Engine.Checkpoint());
        restored.Time.Advance(TimeSpan.FromMinutes(2));

        var alert = Assert.Single(restored.Evaluate("pay").ActiveAlerts);
        Assert.Equal((ActiveAlert.BudgetRemainingKind, since), (alert.Kind, alert.Since));
    }
}
