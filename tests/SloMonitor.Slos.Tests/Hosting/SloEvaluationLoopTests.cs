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

    [Fact]
    public async Task InAClusterTheListenersHearOnlyOfTheSlosThisInstanceDecidesAndOfNoneWhenTheOwnersCannotBeAsked()
    {
        var harness = new EngineHarness(EngineHarness.Slo("pay", "kind: availability") + "\n" + EngineHarness.Slo("refund", "kind: availability")[6..]);
        harness.SpansPerMinute("checkout", 1, 60, _ => (200, 3));
        var tenants = new SloTenants(harness.Time, new SloOptions(), NullLoggerFactory.Instance, harness.Engine);
        var listener = new Listener(fail: false);
        var failing = false;
        var ownership = new SloOwnership((tenant, _) => failing
            ? Task.FromException<IReadOnlySet<string>>(new TimeoutException("owners unreachable"))
            : Task.FromResult<IReadOnlySet<string>>(new HashSet<string> { "refund" }));
        var loop = new SloEvaluationLoop(new SloOptions(), tenants, new SloMetrics(), [listener], harness.Time, NullLogger<SloEvaluationLoop>.Instance, ownership);

        var all = await loop.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["pay", "refund"], all.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal("refund", Assert.Single(listener.Rounds[0]).Name);
        Assert.Equal(["refund"], listener.Decides[0]!);

        failing = true;
        await loop.RunOnceAsync(CancellationToken.None);
        Assert.Empty(listener.Rounds[1]);
        Assert.Empty(listener.Decides[1]!);
    }

    private sealed class Listener(bool fail) : ISloEvaluationListener
    {
        public List<IReadOnlyList<SloEvaluation>> Rounds { get; } = [];

        public List<IReadOnlySet<string>?> Decides { get; } = [];

        public Task OnEvaluatedAsync(string tenant, IReadOnlyList<SloEvaluation> evaluations, IReadOnlySet<string>? decides, CancellationToken cancellationToken)
        {
            Rounds.Add(evaluations);
            Decides.Add(decides);
            return fail ? Task.FromException(new InvalidOperationException("receiver down")) : Task.CompletedTask;
        }
    }
}
