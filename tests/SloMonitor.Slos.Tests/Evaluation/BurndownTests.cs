using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class BurndownTests
{
    [Fact]
    public void TheBurndownCoversTheWholeWindowAndStepsDownWhereBadEventsFell()
    {
        // 99.9 % of 2,000 events: a budget of 2 bad events, one spent 20 days ago and one 2 days ago.
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability"));
        harness.Spans("checkout", TimeSpan.FromDays(20), 1000, 1);
        harness.Spans("checkout", TimeSpan.FromDays(2), 1000, 1);

        var burndown = harness.Engine.Burndown("pay", points: 30)!;

        Assert.Equal(harness.Now - TimeSpan.FromDays(30), burndown.From);
        Assert.Equal(harness.Now, burndown.To);
        Assert.Equal(2, burndown.BudgetEvents, 9);
        Assert.Equal(harness.Now, burndown.Points[^1].Time);
        foreach (var point in burndown.Points)
        {
            var age = harness.Now - point.Time;
            var expected = age > TimeSpan.FromDays(20) + TimeSpan.FromHours(1) ? 1.0
                : age < TimeSpan.FromDays(2) ? 0.0
                : age < TimeSpan.FromDays(20) && age > TimeSpan.FromDays(2) + TimeSpan.FromHours(1) ? 0.5
                : double.NaN;
            if (!double.IsNaN(expected))
            {
                Assert.Equal(expected, point.BudgetRemainingRatio!.Value, 9);
            }
        }

        Assert.Equal(harness.Evaluate("pay").ErrorBudgetRemainingRatio, burndown.Points[^1].BudgetRemainingRatio);
    }

    [Fact]
    public void ACalendarWindowBurnsDownFromTheStartOfItsMonth()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability", window: "month"));
        harness.Spans("checkout", TimeSpan.FromDays(3), 1000, 1);

        var burndown = harness.Engine.Burndown("pay")!;

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero), burndown.From);
        Assert.Equal(1.0, burndown.Points[0].BudgetRemainingRatio);
        Assert.Equal(0.0, burndown.Points[^1].BudgetRemainingRatio!.Value, 9);
    }

    [Fact]
    public void AnSloWithoutEventsHasNoBudgetToBurnDown()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability"));

        var burndown = harness.Engine.Burndown("pay")!;

        Assert.All(burndown.Points, p => Assert.Null(p.BudgetRemainingRatio));
        Assert.Null(harness.Engine.Burndown("missing"));
    }
}
