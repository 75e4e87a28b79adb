using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

/// <summary>Budget adjustments on a fake clock: time ranges left out of every window, burn rate and budget.</summary>
public sealed class BudgetAdjustmentTests
{
    private const string Availability = "kind: availability\nmatch: 'span.kind=\"server\"'";

    private static EngineHarness Harness()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.Spans("checkout", TimeSpan.FromDays(2), 100_000, 0);
        harness.SpansPerMinute("checkout", 1, 60, _ => (100, 0));
        return harness;
    }

    private static ExcludedRange Range(EngineHarness harness, TimeSpan fromAgo, TimeSpan toAgo) =>
        new((harness.Now - fromAgo).ToUnixTimeMilliseconds(), (harness.Now - toAgo).ToUnixTimeMilliseconds());

    [Fact]
    public void ATwoHourMaintenanceFullOfErrorsLeavesTheBudgetUntouchedAndAlertsNobody()
    {
        var quiet = Harness();
        EngineHarness Maintained()
        {
            var harness = Harness();
            harness.SpansPerMinute("checkout", 61, 180, _ => (100, 100)); // every request failed from 3h to 1h ago
            return harness;
        }

        var unadjusted = Maintained().Evaluate("pay");
        Assert.Equal("ticket", unadjusted.State); // 1d and 2h burn at 30 (the 5m and 30m windows are clean)
        Assert.True(unadjusted.ErrorBudgetRemainingRatio < 0, "12,000 errors overspend a budget of 118");

        var maintained = Maintained();
        maintained.Engine.SetAdjustments("pay", [Range(maintained, TimeSpan.FromHours(3), TimeSpan.FromHours(1))]);
        var adjusted = maintained.Evaluate("pay");

        var expected = quiet.Evaluate("pay");
        Assert.Equal(expected.Status.ErrorBudget, adjusted.Status.ErrorBudget);
        Assert.Equal(1, adjusted.ErrorBudgetRemainingRatio);
        Assert.Equal("ok", adjusted.State);
        Assert.Empty(adjusted.ActiveAlerts);
        foreach (var (window, status) in expected.Status.Windows)
        {
            Assert.Equal((window, status.Good, status.Total, status.BurnRate), (window, adjusted.Status.Windows[window].Good, adjusted.Status.Windows[window].Total, adjusted.Status.Windows[window].BurnRate));
        }
    }

    [Fact]
    public void AnAdjustmentOnOldDataChangesTheThirtyDayWindowAndNotTheFiveMinuteOne()
    {
        var harness = Harness();
        harness.Spans("checkout", TimeSpan.FromDays(5) + TimeSpan.FromMinutes(30), 1_000, 200);
        harness.Spans("checkout", TimeSpan.FromMinutes(2), 10, 1);
        var before = harness.Evaluate("pay").Status;

        harness.Engine.SetAdjustments("pay", [Range(harness, TimeSpan.FromDays(5) + TimeSpan.FromHours(1), TimeSpan.FromDays(5))]);
        var after = harness.Evaluate("pay").Status;

        Assert.Equal(before.Windows["5m"], after.Windows["5m"]);
        Assert.Equal(before.Windows["1h"], after.Windows["1h"]);
        Assert.Equal(before.Windows["30d"].Total - 1_000, after.Windows["30d"].Total);
        Assert.Equal(before.Windows["30d"].Good - 800, after.Windows["30d"].Good);
        Assert.Equal(before.ErrorBudget.Consumed - 200, after.ErrorBudget.Consumed);
    }

    [Fact]
    public void OverlappingAdjustmentsTakeTheirEventsOutOnceAndLastAcrossARedefinition()
    {
        var harness = Harness();
        harness.Spans("checkout", TimeSpan.FromHours(5) + TimeSpan.FromMinutes(30), 1_000, 1_000);
        harness.Engine.SetAdjustments("pay",
        [
            Range(harness, TimeSpan.FromHours(6), TimeSpan.FromHours(5)),
            Range(harness, TimeSpan.FromHours(5) + TimeSpan.FromMinutes(45), TimeSpan.FromHours(4)),
        ]);
        var parsed = SloParser.ParseYaml(EngineHarness.Slo("pay", Availability, objective: "99.5"), "test.yaml");
        harness.Engine.Apply(parsed.Definitions);

        var status = harness.Evaluate("pay").Status;

        Assert.Equal(106_000, status.Windows["30d"].Total);
        Assert.Equal(0, status.ErrorBudget.Consumed);

        harness.Engine.SetAdjustments("pay", []);
        Assert.Equal(107_000, harness.Evaluate("pay").Status.Windows["30d"].Total);
    }

    [Fact]
    public void AnAlertRaisedBeforeTheMaintenanceWasDeclaredResolvesAfterResolveAfter()
    {
        var harness = Harness();
        harness.SpansPerMinute("checkout", 61, 180, _ => (100, 100));
        Assert.Equal("ticket", harness.Evaluate("pay").State);

        harness.Engine.SetAdjustments("pay", [Range(harness, TimeSpan.FromHours(3), TimeSpan.FromHours(1))]);
        Assert.Equal("ticket", harness.Evaluate("pay").State); // held for resolveAfter, like any alert that stops holding
        harness.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("ok", harness.Evaluate("pay").State);
    }

    [Fact]
    public void HistoryBurndownAndReportsReadTheAdjustedFigures()
    {
        var harness = Harness();
        harness.SpansPerMinute("checkout", 61, 180, _ => (100, 100));
        harness.Engine.SetAdjustments("pay", [Range(harness, TimeSpan.FromHours(3), TimeSpan.FromHours(1))]);
        var quiet = Harness();

        var history = harness.Engine.History("pay", harness.Now - TimeSpan.FromHours(4), harness.Now, TimeSpan.FromMinutes(30))!;
        var quietHistory = quiet.Engine.History("pay", quiet.Now - TimeSpan.FromHours(4), quiet.Now, TimeSpan.FromMinutes(30))!;
        var burndown = harness.Engine.Burndown("pay")!;
        var report = Assert.Single(harness.Engine.Report(harness.Now - TimeSpan.FromHours(4), harness.Now));

        Assert.Equal(quietHistory.Points.Select(p => (p.Sli, p.BudgetRemainingRatio)), history.Points.Select(p => (p.Sli, p.BudgetRemainingRatio)));
        Assert.Equal(quietHistory.Points.Select(p => p.BurnRates["1h"]), history.Points.Select(p => p.BurnRates["1h"]));
        Assert.All(burndown.Points, p => Assert.Equal(0, p.BadEvents));
        Assert.Equal(1, burndown.Points[^1].BudgetRemainingRatio);
        Assert.Equal((6_000L, 0L, 1.0, true), (report.TotalEvents, report.BadEvents, report.Sli, report.ObjectiveMet));
        Assert.Equal((1, 7200.0), (report.Adjustments, report.AdjustedSeconds));
    }

    [Fact]
    public void ASelectorAdjustmentTakesOutOnlyTheMatchingGroupsEventsAndNothingTwiceWhereAWholeRangeOverlapsIt()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability, extra: "groupBy: [peer.service]"));
        KeyValuePair<string, string>[] Peer(string name) => [new("peer.service", name)];
        harness.Spans("checkout", TimeSpan.FromDays(2), 100_000, 0, attributes: Peer("db"));
        harness.Spans("checkout", TimeSpan.FromHours(2), 1_000, 1_000, attributes: Peer("bank")); // the bank's outage
        harness.Spans("checkout", TimeSpan.FromHours(2), 1_000, 10, attributes: Peer("db"));
        harness.Spans("checkout", TimeSpan.FromMinutes(150), 500, 500, attributes: Peer("bank")); // inside a maintenance too
        var before = harness.Round("pay");
        Assert.Equal(1_510, before.Overall.Status.ErrorBudget.Consumed);

        harness.Engine.SetAdjustments("pay",
        [
            Range(harness, TimeSpan.FromHours(3), TimeSpan.FromHours(1)) with { Selector = "peer.service=\"bank\"" },
            Range(harness, TimeSpan.FromMinutes(160), TimeSpan.FromMinutes(140)),
        ]);
        var after = harness.Round("pay");

        Assert.Equal(10, after.Overall.Status.ErrorBudget.Consumed); // only the database's own errors are left
        Assert.Equal(before.Overall.Status.Windows["30d"].Total - 1_500, after.Overall.Status.Windows["30d"].Total);
        var bank = after.Groups.Single(g => g.GroupLabels["peer.service"] == "bank");
        var db = after.Groups.Single(g => g.GroupLabels["peer.service"] == "db");
        Assert.Equal(0, bank.Status.Windows["30d"].Total);
        Assert.Equal(101_000, db.Status.Windows["30d"].Total);
        Assert.Equal(10, db.Status.ErrorBudget.Consumed);

        var report = Assert.Single(harness.Engine.Report(harness.Now - TimeSpan.FromHours(4), harness.Now));
        Assert.Equal((1_000L, 10L, 2), (report.TotalEvents, report.BadEvents, report.Adjustments));
    }
}
