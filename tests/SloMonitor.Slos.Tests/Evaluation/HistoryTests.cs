using SloMonitor.Histograms;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

public sealed class HistoryTests
{
    private const string Latency = "kind: latency\nthreshold: 300ms";
    private static readonly double Bound = HistogramSnapshot.Empty(5).RelativeError;

    [Fact]
    public void ALatencySloHistoryPointCarriesThePercentilesOfTheFiveMinutesEndingAtIt()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", Latency));
        for (var i = 1; i <= 1000; i++)
        {
            harness.Spans("checkout", TimeSpan.FromMinutes(2), 1, 0, i / 1000.0); // 1 ms .. 1000 ms
        }

        var history = harness.Engine.History("pay-latency", harness.Now - TimeSpan.FromMinutes(10), harness.Now, TimeSpan.FromMinutes(1))!;

        Assert.Equal(TimeSpan.FromMinutes(5), history.LatencyWindow);
        Assert.Equal(11, history.Points.Count);
        var last = history.Points[^1].Latency!;
        Assert.InRange(last.P50!.Value, 0.500 * (1 - Bound), 0.500 * (1 + Bound));
        Assert.InRange(last.P95!.Value, 0.950 * (1 - Bound), 0.950 * (1 + Bound));
        Assert.InRange(last.P99!.Value, 0.990 * (1 - Bound), 0.990 * (1 + Bound));
        var beforeAnyEvent = history.Points[0].Latency!;
        Assert.Equal(new LatencySummary(null, null, null), beforeAnyEvent);
    }

    [Fact]
    public void AHistoryPointTwoHoursBackReadsTheLatencyOfThenNotOfNow()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", Latency));
        harness.Spans("checkout", TimeSpan.FromHours(2), 100, 0, 0.1);
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 100, 0, 0.4);

        var history = harness.Engine.History("pay-latency", harness.Now - TimeSpan.FromHours(3), harness.Now, TimeSpan.FromMinutes(5))!;

        var then = Assert.Single(history.Points, p => p.Time == harness.Now - TimeSpan.FromHours(2)).Latency!;
        Assert.InRange(then.P99!.Value, 0.1 * (1 - Bound), 0.1 * (1 + Bound));
        var now = history.Points[^1];
        Assert.Equal(harness.Now, now.Time);
        Assert.InRange(now.Latency!.P50!.Value, 0.4 * (1 - Bound), 0.4 * (1 + Bound));
        Assert.Equal(new LatencySummary(null, null, null), history.Points[0].Latency);
    }

    [Fact]
    public void PointsSpacedWiderThanFiveMinutesCoverTheWholeStepBeforeThem()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay-latency", Latency));
        harness.Spans("checkout", TimeSpan.FromMinutes(14), 10, 0, 0.2);

        var history = harness.Engine.History("pay-latency", harness.Now - TimeSpan.FromMinutes(30), harness.Now, TimeSpan.FromMinutes(15))!;

        Assert.Equal(TimeSpan.FromMinutes(15), history.LatencyWindow);
        Assert.InRange(history.Points[^1].Latency!.P50!.Value, 0.2 * (1 - Bound), 0.2 * (1 + Bound));
    }

    [Fact]
    public void AnAvailabilitySloHistoryHasNoLatency()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability"));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 10, 1);

        var history = harness.Engine.History("pay", harness.Now - TimeSpan.FromMinutes(10), harness.Now, TimeSpan.FromMinutes(1))!;

        Assert.Null(history.LatencyWindow);
        Assert.All(history.Points, p => Assert.Null(p.Latency));
        Assert.Equal(0.9, history.Points[^1].Sli!.Value, 12);
    }
}
