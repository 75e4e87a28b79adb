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
