using Microsoft.Extensions.Logging.Abstractions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Hosting;

public sealed class SloEvaluationLoopTests
{
    [Fact]
    public async Task EveryListenerReceivesTheRoundEvenWhenAnEarlierOneFails()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability"));
        harness.SpansPerMinute("checkout", 1, 60, _ => (200, 3));
        var failing = new Listener(fail: true);
        var recording = new Listener(fail: false);
        var loop = new SloEvaluationLoop(new SloOptions(), new SloTenants(harness.Time, new SloOptions(), NullLoggerFactory.Instance, harness.Engine), new SloMetrics(), [failing, recording], harness.Time, NullLogger<SloEvaluationLoop>.Instance);

        await loop.RunOnceAsync(CancellationToken.None);

        var round = Assert.Single(recording.Rounds);
        var evaluation = Assert.Single(round);
        Assert.Equal(("pay", "page"), (evaluation.Name, evaluation.State));
        Assert.Single(failing.Rounds);
    }

    private sealed class Listener(bool fail) : ISloEvaluationListener
    {
        public List<IReadOnlyList<SloEvaluation>> Rounds { get; } = [];

        public Task OnEvaluatedAsync(string tenant, IReadOnlyList<SloEvaluation> evaluations, CancellationToken cancellationToken)
        {
            Rounds.Add(evaluations);
            return fail ? Task.FromException(new InvalidOperationException("receiver down")) : Task.CompletedTask;
        }
    }
}
