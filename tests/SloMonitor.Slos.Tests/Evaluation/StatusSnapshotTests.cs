using System.Text.Json;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class StatusSnapshotTests
{
    private const string Availability = "kind: availability";

    [Fact]
    public void ReadingTheSnapshotAThousandTimesChangesNeitherAlertStateNorItsEvaluationTime()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1000, 100);
        var first = harness.Evaluate("pay");
        var page = Assert.Single(first.ActiveAlerts, a => a.Severity == "page");

        // Burning stops; well past resolveAfter, only a round may resolve the page.
        harness.Time.Advance(TimeSpan.FromHours(2));
        for (var i = 0; i < 1000; i++)
        {
            var read = harness.Engine.Status.Find("pay")!;
            _ = read.WithLatency();
            _ = harness.Engine.History("pay", harness.Now - TimeSpan.FromHours(3), harness.Now, TimeSpan.FromMinutes(10));
            _ = harness.Engine.Burndown("pay", 10);
            Assert.Same(first, read.Overall);
        }

        Assert.Equal(page.Since, Assert.Single(harness.Engine.Status.Find("pay")!.Overall.ActiveAlerts, a => a.Severity == "page").Since);
        var next = harness.Evaluate("pay");
        Assert.Equal(harness.Now, next.EvaluatedAt);
        Assert.DoesNotContain(next.ActiveAlerts, a => a.Severity == "page");
    }

    [Fact]
    public void ReadsNeverJudgeATimeSliceSoLateEventsStillCount()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-p99", "kind: latency\nthreshold: 500ms\npercentile: 99\ntimeslice: 1m"));
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        harness.Spans("checkout", TimeSpan.FromSeconds(30), 100, 0, 0.1); // the slice that just ended: fast so far
        harness.Evaluate("pay-p99");

        harness.Time.Advance(TimeSpan.FromSeconds(45));
        for (var i = 0; i < 1000; i++)
        {
            _ = harness.Engine.Status.Find("pay-p99")!.WithLatency();
            _ = harness.Engine.History("pay-p99", harness.Now - TimeSpan.FromMinutes(30), harness.Now, TimeSpan.FromMinutes(1));
            _ = harness.Engine.Burndown("pay-p99", 10);
        }

        // 45 s after the slice ended, its slow tail arrives; then the lateness allowance passes.
        harness.Spans("checkout", TimeSpan.FromSeconds(75), 5, 0, 2.0);
        harness.Time.Advance(TimeSpan.FromSeconds(50));

        var window = harness.Evaluate("pay-p99").Status.Windows["5m"];
        Assert.Equal((0L, 1L), (window.Good, window.Total));
    }

    [Fact]
    public void ANewSloHasAStatusAtOnceAndARemovedOneIsGoneAtOnce()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.Spans("other", TimeSpan.FromMinutes(1), 100, 50);
        var definition = SloParser.ParseYaml("{name: other, service: other, objective: 99, sli: {kind: availability}}", "b.yaml").Definitions[0];

        Assert.False(harness.Engine.Set(definition)); // a new SLO: no history kept
        var added = harness.Engine.Status.Find("other");

        Assert.NotNull(added);
        Assert.Equal(harness.Now, added.Overall.EvaluatedAt);
        Assert.Null(harness.Engine.Status.RoundAt);
        Assert.True(harness.Engine.Remove("other"));
        Assert.Null(harness.Engine.Status.Find("other"));
        Assert.NotNull(harness.Engine.Status.Find("pay"));
    }

    [Fact]
    public void ChangingOnlyMetadataKeepsTheSeriesAndChangingTheSliRestartsThem()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", Availability));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 100, 1);
        var definition = harness.Engine.Find("pay")!;

        Assert.True(harness.Engine.Set(definition with { Description = "renamed", Labels = new Dictionary<string, string> { ["team"] = "x" } }));
        Assert.Equal(100, harness.Engine.Status.Find("pay")!.Overall.Status.Windows["5m"].Total);

        Assert.False(harness.Engine.Set(definition with { Sli = definition.Sli with { Bad = "http.route=\"/x\"" } }));
        Assert.Equal(0, harness.Engine.Status.Find("pay")!.Overall.Status.Windows["5m"].Total);
    }

    [Fact]
    public void CheckpointRowsOfAnSloNotDefinedYetAreRestoredWhenItIsCreatedUntilTheyAreDropped()
    {
        var before = new EngineHarness("{name: late, service: late, objective: 99, sli: {kind: availability}}");
        before.Spans("late", TimeSpan.FromMinutes(1), 100, 3);
        var rows = before.Engine.Checkpoint();
        var definition = before.Engine.Find("late")!;

        var after = new EngineHarness(EngineHarness.Slo("pay", Availability));
        Assert.Equal(0, after.Engine.Restore(rows));
        Assert.Equal(rows.Count, after.Engine.LaterRestores().Count);
        after.Engine.Set(definition); // loaded later, e.g. from PostgreSQL once it answers
        Assert.Equal((97L, 100L), (after.Engine.Status.Find("late")!.Overall.Status.Windows["5m"].Good, after.Engine.Status.Find("late")!.Overall.Status.Windows["5m"].Total));

        var dropped = new EngineHarness(EngineHarness.Slo("pay", Availability));
        dropped.Engine.Restore(rows);
        Assert.Equal(1, dropped.Engine.DropLaterRestores());
        dropped.Engine.Set(definition);
        Assert.Equal(0, dropped.Engine.Status.Find("late")!.Overall.Status.Windows["5m"].Total);
    }

    [Fact]
    public void AnSloWhoseEvaluationThrowsIsMarkedErrorKeepsItsAlertsAndTheOthersAreEvaluated()
    {
        var harness = new EngineHarness("""
            - {name: pay, service: checkout, objective: 99, sli: {kind: availability}}
            - {name: cart, service: checkout, objective: 99, sli: {kind: availability}}
            """);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1000, 200);
        Assert.Equal("page", harness.Evaluate("pay").State);

        harness.Engine.BeforeEvaluation = d => _ = d.Name == "pay" ? throw new InvalidOperationException("broken series") : 0;
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var evaluations = harness.Engine.EvaluateRound();

        var pay = Assert.Single(evaluations, e => e.Name == "pay");
        Assert.Equal("error", pay.State);
        Assert.Contains("broken series", Assert.Single(pay.Status.Problems));
        Assert.Contains(pay.ActiveAlerts, a => a.Severity == "page");
        Assert.Equal("page", Assert.Single(evaluations, e => e.Name == "cart").State);
    }

    [Fact]
    public void EachSloWindowHasItsOwnReadingAndBudgetAndTheFirstDrivesAlerting()
    {
        var harness = new EngineHarness("""
            name: pay
            service: checkout
            objective: 99
            windows: [7d, 28d]
            sli: {kind: availability}
            """);
        harness.Spans("checkout", TimeSpan.FromDays(10), 1000, 0);  // only in the 28-day window
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1000, 200);

        var status = harness.Evaluate("pay").Status;

        Assert.Equal((800L, 1000L), (status.Windows["7d"].Good, status.Windows["7d"].Total));
        Assert.Equal((1800L, 2000L), (status.Windows["28d"].Good, status.Windows["28d"].Total));
        Assert.Equal(["7d", "28d"], status.Budgets.Keys);
        Assert.Equal(-19.0, status.Budgets["7d"].RemainingRatio!.Value, 9);   // 200 bad of 10 allowed
        Assert.Equal(-9.0, status.Budgets["28d"].RemainingRatio!.Value, 9);   // 200 bad of 20 allowed
        Assert.Same(status.Budgets["7d"], status.ErrorBudget);
        var page = Assert.Single(status.Alerts, a => a.Severity == "page");
        Assert.Equal(("14m", "70s"), (page.LongWindow, page.ShortWindow));
    }

    [Fact]
    public void AnSloWindowNamedLikeAStandardWindowIsListedOnceWithItsFiguresAndTheWindowsReadAsJsonAsAnObject()
    {
        var harness = new EngineHarness("""
            name: pay
            service: checkout
            objective: 99
            windows: [3d, 28d]
            sli: {kind: availability}
            """);
        harness.Spans("checkout", TimeSpan.FromDays(2), 1000, 0);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 1000, 200);
        harness.Time.Advance(TimeSpan.FromMinutes(10)); // the 5-minute window is empty now

        var status = harness.Evaluate("pay").Status;

        var names = status.Windows.Keys.ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(new[] { "5m", "30m", "1h", "2h", "6h", "1d", "3d" }, standard => Assert.Contains(standard, names));
        Assert.Equal("28d", names[^1]);
        var threeDays = status.Windows["3d"];
        Assert.Equal((1800L, 2000L), (threeDays.Good, threeDays.Total));
        Assert.Equal(0.9, threeDays.Sli!.Value, 12);
        Assert.Equal(0.1, threeDays.ErrorRate!.Value, 12);
        Assert.Equal(10, threeDays.BurnRate!.Value, 9);
        Assert.False(status.Windows.ContainsKey("7d"));
        Assert.Throws<KeyNotFoundException>(() => status.Windows["7d"]);

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(status.Windows, JsonSerializerOptions.Web));
        Assert.Equal(names, json.RootElement.EnumerateObject().Select(p => p.Name));
        var empty = json.RootElement.GetProperty("5m");
        Assert.Equal(["good", "total", "rate", "sli", "errorRate", "burnRate"], empty.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("sli").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("burnRate").ValueKind);
        Assert.Equal(0.9, json.RootElement.GetProperty("3d").GetProperty("sli").GetDouble(), 12);
    }

    [Fact]
    public void AGaugePointArriving45SecondsAfterItsSliceEndedIsCountedWhenTheSliceIsJudged()
    {
        var harness = new EngineHarness("""
            name: lag
            service: db
            objective: 99
            sli: {kind: gauge, metric: pg.replication.lag, threshold: 5, timeslice: 1m}
            """);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        harness.Point(MetricPointEvent.ForGauge("db", "pg.replication.lag", harness.NanosAgo(TimeSpan.FromSeconds(50)), 1));

        harness.Time.Advance(TimeSpan.FromSeconds(45));
        var pending = harness.Evaluate("lag").Status.Windows["5m"];
        Assert.Equal((0L, 0L, 1L), (pending.Good, pending.Total, pending.PendingSlices));

        // The slice's last export, 45 s after it ended: a lag above the threshold.
        harness.Point(MetricPointEvent.ForGauge("db", "pg.replication.lag", harness.NanosAgo(TimeSpan.FromSeconds(50)), 9));
        harness.Time.Advance(TimeSpan.FromSeconds(46));

        var judged = harness.Evaluate("lag").Status.Windows["5m"];
        Assert.Equal((0L, 1L, 0L), (judged.Good, judged.Total, judged.PendingSlices));
    }

    [Fact]
    public void AHistogramPointArriving45SecondsAfterItsSliceEndedCountsTowardsItsPercentile()
    {
        var harness = new EngineHarness("""
            name: pay-p99
            service: checkout
            objective: 99
            sli: {kind: latency, source: metrics, metric: http.server.request.duration, threshold: 250ms, percentile: 99, timeslice: 1m}
            """);
        harness.Time.Advance(TimeSpan.FromMinutes(1));
        var inSlice = harness.NanosAgo(TimeSpan.FromSeconds(30));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", inSlice, 100, 5, [0.1, 0.25, 1], [100, 0, 0, 0]));
        harness.Evaluate("pay-p99");

        harness.Time.Advance(TimeSpan.FromSeconds(45));
        harness.Point(MetricPointEvent.ForHistogram("checkout", "http.server.request.duration", inSlice, 10, 9, [0.1, 0.25, 1], [0, 0, 10, 0]));
        harness.Time.Advance(TimeSpan.FromSeconds(50));

        var window = harness.Evaluate("pay-p99").Status.Windows["5m"];
        Assert.Equal((0L, 1L), (window.Good, window.Total));
    }
}
