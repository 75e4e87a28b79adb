using SloMonitor.Otlp;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class ErrorBudgetTests
{
    private const string Availability = "kind: availability";

    [Fact]
    public void TheBudgetCountsAllowedConsumedAndRemainingEventsAndWhenItRunsOutAtTheHourlyBurnRate()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.SpansPerMinute("checkout", 1, 60, _ => (2000, 1));

        var budget = harness.Evaluate("pay").Status.ErrorBudget;

        Assert.Equal(120, budget.Total, 9);
        Assert.Equal(60, budget.Consumed);
        Assert.Equal(60, budget.Remaining, 9);
        Assert.Equal(0.5, budget.RemainingRatio!.Value, 9);
        // Burning at 0.5 (half the rate that spends the budget in 30 days), half a budget lasts 30 days.
        Assert.Equal(harness.Now + TimeSpan.FromDays(30), budget.ExhaustsAt);
    }

    [Fact]
    public void AnOverspentBudgetHasANegativeRemainderAndIsExhaustedNow()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.SpansPerMinute("checkout", 1, 60, _ => (1000, 2));

        var budget = harness.Evaluate("pay").Status.ErrorBudget;

        Assert.Equal((60.0, 120.0, -60.0), (budget.Total, budget.Consumed, budget.Remaining));
        Assert.Equal(-1, budget.RemainingRatio!.Value, 9);
        Assert.Equal(harness.Now, budget.ExhaustsAt);
    }

    [Fact]
    public void ACalendarMonthWindowStartsAtTheFirstMidnightOfTheMonthInItsTimeZone()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, "timeZone: Asia/Tokyo", window: "month"));
        // Now is 2026-03-10 21:00 in Tokyo; March began there at 2026-02-28 15:00 UTC.
        harness.Spans("checkout", harness.Now - new DateTimeOffset(2026, 2, 28, 16, 0, 0, TimeSpan.Zero), 10, 1);
        harness.Spans("checkout", harness.Now - new DateTimeOffset(2026, 2, 28, 14, 0, 0, TimeSpan.Zero), 30, 0);

        var month = harness.Evaluate("pay").Status.Windows["month"];

        Assert.Equal((9L, 10L), (month.Good, month.Total));
    }

    [Fact]
    public void TimeSliceBudgetsCountTheSlicesOfTheWholePeriod()
    {
        var harness = new EngineHarness("""
            - name: lag
              service: db
              objective: 99
              sli: {kind: gauge, metric: lag, threshold: 5, timeslice: 1m}
            """);
        for (var minute = 1; minute <= 10; minute++)
        {
            harness.Point(MetricPointEvent.ForGauge("db", "lag", harness.NanosAgo(TimeSpan.FromMinutes(minute) - TimeSpan.FromSeconds(30)), minute <= 3 ? 9 : 1));
        }

        harness.Time.Advance(SliDefinition.DefaultLateness); // every slice judged
        var budget = harness.Evaluate("lag").Status.ErrorBudget;

        Assert.Equal(432, budget.Total, 9); // 1 % of the 43,200 one-minute slices in 30 days
        Assert.Equal(3, budget.Consumed);
    }

    [Fact]
    public void TheNoDataAlertFiresOnceNoEventArrivedForItsDelay()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, "alerting:\n  noData: {after: 10m, severity: ticket}"));
        harness.Spans("checkout", TimeSpan.Zero, 20, 0);
        Assert.Equal("ok", harness.Evaluate("pay").State);

        harness.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(harness.Evaluate("pay").ActiveAlerts);

        harness.Time.Advance(TimeSpan.FromMinutes(2));
        var evaluation = harness.Evaluate("pay");

        Assert.Equal("nodata", evaluation.State);
        var alert = Assert.Single(evaluation.ActiveAlerts);
        Assert.Equal(("ticket", "nodata", "10m"), (alert.Severity, alert.LongWindow, alert.ShortWindow));
    }
}
