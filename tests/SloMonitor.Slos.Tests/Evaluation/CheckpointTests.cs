using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class CheckpointTests
{
    private const string Latency = "kind: latency\nthreshold: 300ms";

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
        var evaluations = after.Engine.Evaluate("pay")!;
        Assert.Equal((40L, 50L), (evaluations[0].Status.Windows["6h"].Good, evaluations[0].Status.Windows["6h"].Total));
        Assert.Equal(0.1, evaluations[0].Status.Windows["5m"].Latency!.P50!.Value, 1);
        Assert.Equal(["/a", "/b"], evaluations.Skip(1).Select(e => e.GroupLabels["http.route"]));
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
}
