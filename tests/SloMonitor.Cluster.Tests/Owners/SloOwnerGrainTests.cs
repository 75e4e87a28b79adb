using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Owners;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Recording;
using SloMonitor.Storage;

namespace SloMonitor.Cluster.Tests.Owners;

public sealed class SloOwnerGrainTests
{
    [Fact]
    public async Task SpansSpreadOverThreeSilosGiveTheCountsBurnRatesAndAlertsOfOneEngineGivenTheSameData()
    {
        await using var silos = await ThreeSilos.StartAsync();
        var harness = silos.Harness;
        var reference = harness.Engine();
        for (var round = 0; round < 3; round++)
        {
            var applied = await silos.SpreadAndFlushAsync(reference, round * 3_000L, (round + 1) * 3_000L);
            Assert.All(applied, batches => Assert.Equal(2, batches));
        }

        reference.EvaluateRound();
        foreach (var slo in ClusterHarness.Slos)
        {
            var expected = SloOwnerGrain.Reading(reference.Status.Find(slo)!.Overall.Status);
            var actual = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, slo)).Read();
            ClusterHarness.AssertSameReading(expected, actual);
        }

        // One error in seven against a 99.9 % objective burns the budget 143 times too fast: the owners page.
        var availability = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability)).Read();
        Assert.Equal(SloStatus.Page, availability.State);
        Assert.Equal(9_000, availability.Windows.Single(w => w.Window == "1h").Total);
    }

    [Fact]
    public async Task AnOwnersEvaluationCarriesEveryFigureOfItsStatusAndGroupsWithLatencyToAnotherSilo()
    {
        await using var silos = await ThreeSilos.StartAsync();
        var harness = silos.Harness;
        var reference = harness.Engine();
        await silos.SpreadAndFlushAsync(reference, 0, 6_000);

        reference.EvaluateRound();
        foreach (var slo in ClusterHarness.Slos)
        {
            var owner = silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, slo));
            var evaluation = await owner.Evaluation();
            Assert.True(evaluation.Defined);
            Assert.Equal(await owner.Silo(), evaluation.Silo);

            var (overall, groups) = reference.Status.Find(slo)!.WithLatency();
            Assert.Equal(Json(overall.Status), Json(evaluation.Overall!.ToStatus()));
            Assert.Equal(groups.Count, evaluation.Groups.Length);
            for (var i = 0; i < groups.Count; i++)
            {
                Assert.Equal(groups[i].GroupLabels, evaluation.Groups[i].Labels());
                Assert.Equal(Json(groups[i].Status), Json(evaluation.Groups[i].Status.ToStatus()));
            }
        }

        // The latency SLO's three routes, each with its quantiles; the availability SLO pages with its alerts.
        var latency = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Latency)).Evaluation();
        Assert.Equal(3, latency.Groups.Length);
        Assert.All(latency.Overall!.Windows, w => Assert.True(w.HasLatency && w.P99 is > 0, w.Name));
        var availability = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability)).Evaluation();
        Assert.Equal(SloStatus.Page, availability.Overall!.State);
        Assert.NotEmpty(availability.Overall.Alerts);
    }

    private static string Json(SloStatus status) => System.Text.Json.JsonSerializer.Serialize(status);

    [Fact]
    public async Task AReSentBatchWithASequenceAlreadyAppliedDoesNotCountTwice()
    {
        await using var silos = await ThreeSilos.StartAsync();
        var harness = silos.Harness;
        var reference = harness.Engine();
        var recorder = new DeltaRecorder(harness.Engine());
        for (var n = 0; n < 500; n++)
        {
            recorder.OnSpan(harness.Span(n));
            reference.OnSpan(harness.Span(n));
        }

        var owner = silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability));
        var delta = recorder.Flush().Single(d => d.Slo == ClusterHarness.Availability);
        var batch = new DeltaBatch("instance-a", 1, delta.Bytes);

        Assert.True(await owner.Apply(batch));
        Assert.False(await owner.Apply(batch));
        Assert.False(await owner.Apply(batch with { Sequence = 0 }));

        reference.EvaluateRound();
        ClusterHarness.AssertSameReading(SloOwnerGrain.Reading(reference.Status.Find(ClusterHarness.Availability)!.Overall.Status), await owner.Read());
        Assert.Equal(500, (await owner.Read()).Windows.Single(w => w.Window == "1h").Total);

        // Another instance's batch with the same sequence is its own, and counts.
        Assert.True(await owner.Apply(batch with { InstanceId = "instance-b" }));
        Assert.Equal(1_000, (await owner.Read()).Windows.Single(w => w.Window == "1h").Total);
    }

    [Fact]
    public async Task ABatchThatIsNotADeltaIsRefusedWithAClearErrorAndChangesNothing()
    {
        await using var silos = await ThreeSilos.StartAsync();
        var owner = silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability));

        var error = await Assert.ThrowsAsync<FormatException>(() => owner.Apply(new DeltaBatch("instance-a", 1, [1, 2, 3, 4, 5])));
        Assert.Contains("SLOD", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await owner.Read()).Windows.Single(w => w.Window == "1h").Total);

        // The failed sequence was not taken: the instance's real batch with it still applies.
        var recorder = new DeltaRecorder(silos.Harness.Engine());
        recorder.OnSpan(silos.Harness.Span(1));
        var delta = recorder.Flush().Single(d => d.Slo == ClusterHarness.Availability);
        Assert.True(await owner.Apply(new DeltaBatch("instance-a", 1, delta.Bytes)));
    }
}
