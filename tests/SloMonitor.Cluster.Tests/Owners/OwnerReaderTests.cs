using System.Text.Json;
using SloMonitor.Cluster.Owners;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;

namespace SloMonitor.Cluster.Tests.Owners;

public sealed class OwnerReaderTests
{
    [Fact]
    public async Task EverySiloPublishesTheOwnersFiguresOfEverySloAndExactlyOneSiloTheOwnersOwnDecidesItsAlerts()
    {
        await using var silos = await ThreeSilos.StartAsync();
        var harness = silos.Harness;
        var reference = harness.Engine();
        await silos.SpreadAndFlushAsync(reference, 0, 6_000);

        // Before reading its owners, an instance knows only the events that reached it: a third of them.
        var engine0 = silos.Tenants(0).Default.Engine;
        engine0.EvaluateRound();
        Assert.Equal(2_000, engine0.Status.Find(ClusterHarness.Availability)!.Overall.Status.Windows["1h"].Total);

        reference.EvaluateRound();
        var decides = new List<IReadOnlySet<string>>();
        for (var silo = 0; silo < 3; silo++)
        {
            var tenant = silos.Tenants(silo).Default;
            decides.Add(await silos.Reader(silo).BeforeRoundAsync(tenant, CancellationToken.None));
            tenant.Engine.EvaluateRound();
            foreach (var slo in ClusterHarness.Slos)
            {
                var (expected, expectedGroups) = reference.Status.Find(slo)!.WithLatency();
                var (actual, actualGroups) = tenant.Engine.Status.Find(slo)!.WithLatency();
                Assert.Equal(Json(expected.Status), Json(actual.Status));
                Assert.Equal(expectedGroups.Select(g => g.GroupLabels), actualGroups.Select(g => g.GroupLabels));
                Assert.Equal(expectedGroups.Select(g => Json(g.Status)), actualGroups.Select(g => Json(g.Status)));
            }
        }

        Assert.Equal(6_000, engine0.Status.Find(ClusterHarness.Availability)!.Overall.Status.Windows["1h"].Total);
        Assert.Equal(SloStatus.Page, engine0.Status.Find(ClusterHarness.Availability)!.Overall.State);
        foreach (var slo in ClusterHarness.Slos)
        {
            var owner = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, slo)).Silo();
            var deciding = Enumerable.Range(0, 3).Where(i => decides[i].Contains(slo)).ToList();
            Assert.Equal([silos.Silos.Select(s => s.SiloAddress.ToString()).ToList().IndexOf(owner)], deciding);
        }
    }

    private static string Json(SloStatus status) => JsonSerializer.Serialize(status);
}
