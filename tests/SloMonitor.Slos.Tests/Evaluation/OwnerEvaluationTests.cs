using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Parsing;
using SloMonitor.Slos.Tests.Support;

namespace SloMonitor.Slos.Tests.Evaluation;

/// <summary>In a cluster, the rounds publish each SLO's owner's evaluation in place of the instance's own while it is fresh.</summary>
public sealed class OwnerEvaluationTests
{
    private const string Availability = "kind: availability";

    [Fact]
    public void ARoundPublishesTheOwnersFreshEvaluationAndListsItsGroupsInPlaceOfTheInstancesOwnFigures()
    {
        var (harness, owner) = HarnessAndOwner(EngineHarness.Slo("pay", Availability, "groupBy: [http.route]"));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 100, 10, attributes: [new("http.route", "/pay")]);
        owner.Spans("checkout", TimeSpan.FromMinutes(1), 900, 1, attributes: [new("http.route", "/pay")]);
        owner.Spans("checkout", TimeSpan.FromMinutes(1), 50, 0, attributes: [new("http.route", "/refund")]);
        var theirs = owner.Round("pay");

        Assert.True(harness.Engine.UseOwnerEvaluation(Rebased(theirs.Overall, harness), theirs.Groups.Select(g => Rebased(g, harness)).ToList(), harness.Now.AddSeconds(30)));
        var published = harness.Round("pay");

        Assert.Equal(950, published.Overall.Status.Windows["1h"].Total);
        Assert.Equal(theirs.Overall.Status, published.Overall.Status);
        Assert.Equal(["/pay", "/refund"], published.Groups.Select(g => g.GroupLabels["http.route"]));
        Assert.Same(harness.Engine.Find("pay"), published.Definition);
        Assert.Equal(published.Overall, published.WithLatency().Overall);
    }

    [Fact]
    public void OnceTheOwnersEvaluationIsStaleTheRoundPublishesTheInstancesOwnFiguresAndSaysSo()
    {
        var (harness, owner) = HarnessAndOwner(EngineHarness.Slo("pay", Availability));
        harness.Spans("checkout", TimeSpan.FromMinutes(1), 100, 0);
        owner.Spans("checkout", TimeSpan.FromMinutes(1), 300, 0);
        var theirs = owner.Round("pay");
        harness.Engine.UseOwnerEvaluation(Rebased(theirs.Overall, harness), [], harness.Now.AddSeconds(30));

        harness.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(300, harness.Round("pay").Overall.Status.Windows["1h"].Total);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var own = harness.Round("pay").Overall.Status;
        Assert.Equal(100, own.Windows["1h"].Total);
        var problem = Assert.Single(own.Problems);
        Assert.Contains("owner has not answered since 2026-03-10 12:00:00 UTC", problem, StringComparison.Ordinal);

        // A new answer from the owner is published again.
        var again = owner.Round("pay");
        harness.Engine.UseOwnerEvaluation(Rebased(again.Overall, harness), [], harness.Now.AddSeconds(30));
        Assert.Empty(harness.Round("pay").Overall.Status.Problems);
    }

    [Fact]
    public void AnEvaluationOfADefinitionTheEngineDoesNotRunNowIsRefusedAndAReplacedDefinitionDropsTheOwnersFigures()
    {
        var (harness, owner) = HarnessAndOwner(EngineHarness.Slo("pay", Availability));
        owner.Spans("checkout", TimeSpan.FromMinutes(1), 300, 0);
        var theirs = owner.Round("pay");

        // The owner's definition is not the engine's: an evaluation of another definition of the SLO is not taken.
        Assert.False(harness.Engine.UseOwnerEvaluation(theirs.Overall, [], harness.Now.AddMinutes(1)));
        Assert.Equal(0, harness.Round("pay").Overall.Status.Windows["1h"].Total);

        Assert.True(harness.Engine.UseOwnerEvaluation(Rebased(theirs.Overall, harness), [], harness.Now.AddMinutes(1)));
        var replaced = SloParser.ParseYaml(EngineHarness.Slo("pay", Availability, objective: "99.5"), "pay.yaml").Definitions.Single();
        harness.Engine.Set(replaced);
        Assert.Equal(0, harness.Round("pay").Overall.Status.Windows["1h"].Total);

        // A removed SLO takes no evaluation.
        harness.Engine.Remove("pay");
        Assert.False(harness.Engine.UseOwnerEvaluation(theirs.Overall with { Definition = replaced }, [], harness.Now.AddMinutes(1)));
    }

    /// <summary>The instance and the owner: two engines with the same SLOs on one clock.</summary>
    private static (EngineHarness Instance, EngineHarness Owner) HarnessAndOwner(string yaml)
    {
        var instance = new EngineHarness(yaml);
        return (instance, new EngineHarness(yaml, time: instance.Time));
    }

    /// <summary>The owner's evaluation as an instance hands it in: with the instance's own definition of the SLO.</summary>
    private static SloEvaluation Rebased(SloEvaluation evaluation, EngineHarness instance) => evaluation with { Definition = instance.Engine.Find(evaluation.Name)! };
}
