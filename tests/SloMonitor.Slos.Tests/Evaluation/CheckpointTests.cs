using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class CheckpointTests
{
    private const string Latency = "kind: latency\nthreshold: 300ms";
    private static readonly string PagingSlo = EngineHarness.Slo(
        "pay", "kind: availability", "alerting:\n  resolveAfter: 5m\n  rules:\n    - {severity: page, longWindow: 1h, shortWindow: 5m, burnRate: 14.4}");

    [Fact]
    public void ARestoredEngineReadsTheSameWindowsAsTheOneThatWasCheckpointed()
    {
        var yaml = EngineHarness.Slo("pay", Latency, "groupBy: [http.route]");
        var before = new EngineHarness(yaml);
        before.Spans("checkout", TimeSpan.FromMinutes(3), 40, 0, 0.1, [new("http.route", "/a")]);
        before.Spans("checkout", TimeSpan.FromMinutes(90), 10, 0, 0.9, [new("http.route", "/b")]);

        var after = new EngineHarness(yaml);
        var restored = after.Engine.Restore(before.Engine.Checkpoint());

        Assert.Equal(3, restored);
        var (overall, groups) = after.Round("pay").WithLatency();
        SloEvaluation[] evaluations = [overall, .. groups];
        Assert.Equal((40L, 50L), (evaluations[0].Status.Windows["6h"].Good, evaluations[0].Status.Windows["6h"].Total));
        Assert.Equal(0.1, evaluations[0].Status.Windows["5m"].Latency!.P50!.Value, 1);
        Assert.Equal(["/a", "/b"], evaluations.Skip(1).Select(e => e.GroupLabels["http.route"]));
    }

    [Fact]
    public void ACheckpointMergedIntoAnEngineThatRecordedMeanwhileAddsItsEventsToWhatWasRecorded()
    {
        var yaml = EngineHarness.Slo("pay", Latency, "groupBy: [http.route]");
        var before = new EngineHarness(yaml);
        before.Spans("checkout", TimeSpan.FromMinutes(90), 30, 10, 0.9, [new("http.route", "/a")]);
        before.Spans("checkout", TimeSpan.FromMinutes(80), 10, 0, 0.1, [new("http.route", "/b")]);

        // The new process took traffic before the database answered with the old one's checkpoint.
        var after = new EngineHarness(yaml);
        after.Spans("checkout", TimeSpan.FromMinutes(3), 20, 5, 0.1, [new("http.route", "/a")]);
        after.Spans("checkout", TimeSpan.FromMinutes(2), 7, 7, 0.1, [new("http.route", "/c")]);
        var merged = after.Engine.Merge(before.Engine.Checkpoint());

        Assert.Equal(3, merged);
        var (overall, groups) = after.Round("pay").WithLatency();
        // A latency SLI judges durations only: the slow 30 of the earlier process are its bad events.
        Assert.Equal((37L, 67L), (overall.Status.Windows["6h"].Good, overall.Status.Windows["6h"].Total));
        Assert.Equal((27L, 27L), (overall.Status.Windows["5m"].Good, overall.Status.Windows["5m"].Total));
        Assert.Equal(0.9, overall.Status.Windows["6h"].Latency!.P95!.Value, 1); // 30 of the 67 were slow
        var byRoute = groups.ToDictionary(g => g.GroupLabels["http.route"], g => (g.Status.Windows["6h"].Good, g.Status.Windows["6h"].Total));
        Assert.Equal((20L, 50L), byRoute["/a"]);
        Assert.Equal((10L, 10L), byRoute["/b"]);
        Assert.Equal((7L, 7L), byRoute["/c"]);
    }

    [Fact]
    public void MergedRowsOfAnSloNotDefinedYetAreAddedToTheRowRestoredBeforeWhenItIsCreated()
    {
        var yaml = EngineHarness.Slo("pay", "kind: availability");
        var older = new EngineHarness(yaml);
        older.Spans("checkout", TimeSpan.FromMinutes(90), 100, 10);
        var newer = new EngineHarness(yaml);
        newer.Spans("checkout", TimeSpan.FromMinutes(10), 50, 50);

        var after = new EngineHarness(EngineHarness.Slo("other", "kind: availability"));
        Assert.Equal(0, after.Engine.Restore(newer.Engine.Checkpoint()));
        Assert.Equal(0, after.Engine.Merge(older.Engine.Checkpoint()));
        after.Engine.Set(SloMonitor.Slos.Parsing.SloParser.ParseYaml(yaml, "test.yaml").Definitions[0]);

        var window = after.Evaluate("pay").Status.Windows["6h"];
        Assert.Equal((90L, 150L), (window.Good, window.Total));
    }

    [Fact]
    public void AnAlertActiveAtACheckpointKeepsItsStartTimeAfterARestore()
    {
        var (before, paged) = Paging();

        var after = new EngineHarness(PagingSlo);
        after.Engine.Restore(before.Engine.Checkpoint());
        after.Time.Advance(TimeSpan.FromMinutes(2));

        var still = Assert.Single(after.Evaluate("pay").ActiveAlerts, a => a.Severity == "page");
        Assert.Equal(paged.Since, still.Since);
    }

    [Fact]
    public void AnAlertThatStoppedHoldingBeforeARestartStaysActiveForTheRestOfResolveAfter()
    {
        var (before, paged) = Paging();
        before.Time.Advance(TimeSpan.FromMinutes(1));
        before.Spans("checkout", TimeSpan.FromSeconds(30), 5000, 0);
        Assert.Equal("page", before.Evaluate("pay").State);

        // The new process starts on the same clock, with the same clean minute behind it: the rule does not hold,
        // but the page was held 1 minute ago and resolves only 5 minutes after that.
        var after = new EngineHarness(PagingSlo);
        after.Time.Advance(TimeSpan.FromMinutes(1));
        after.Engine.Restore(before.Engine.Checkpoint());
        var states = new List<string>();
        for (var minute = 0; minute < 5; minute++)
        {
            var evaluation = after.Evaluate("pay");
            states.Add(evaluation.State);
            if (evaluation.State == "page")
            {
                Assert.Equal(paged.Since, evaluation.ActiveAlerts[0].Since);
            }

            after.Time.Advance(TimeSpan.FromMinutes(1));
            after.Spans("checkout", TimeSpan.FromSeconds(30), 5000, 0);
        }

        Assert.Equal(["page", "page", "page", "page", "ok"], states);
    }

    [Fact]
    public void ACheckpointOfADifferentSliIsNotRestored()
    {
        var before = new EngineHarness(EngineHarness.Slo("pay", Latency));
        before.Spans("checkout", TimeSpan.FromMinutes(3), 40, 0, 0.1);

        var after = new EngineHarness(EngineHarness.Slo("pay", "kind: latency\nthreshold: 500ms"));

        Assert.Equal(0, after.Engine.Restore(before.Engine.Checkpoint()));
        Assert.Equal("nodata", after.Evaluate("pay").State);
    }

    [Fact]
    public void ADamagedCheckpointRowIsSkipped()
    {
        var before = new EngineHarness(EngineHarness.Slo("pay", Latency));
        before.Spans("checkout", TimeSpan.FromMinutes(3), 40, 0, 0.1);
        var row = Assert.Single(before.Engine.Checkpoint());

        var after = new EngineHarness(EngineHarness.Slo("pay", Latency));

        Assert.Equal(0, after.Engine.Restore([row with { State = row.State[..(row.State.Length / 2)] }]));
        Assert.Equal("nodata", after.Evaluate("pay").State);
    }

    /// <summary>An engine whose SLO pages: an hour of 5 % errors against a 99.9 % objective.</summary>
    private static (EngineHarness Harness, ActiveAlert Paged) Paging()
    {
        var harness = new EngineHarness(PagingSlo);
        harness.SpansPerMinute("checkout", 1, 60, _ => (200, 10));
        return (harness, Assert.Single(harness.Evaluate("pay").ActiveAlerts, a => a.Severity == "page"));
    }
}
