using Dapper;
using Microsoft.Extensions.DependencyInjection;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Flushing;
using SloMonitor.Cluster.Owners;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Cluster.Tests.Owners;

/// <summary>
/// Owners that keep their state in PostgreSQL: when the silo holding one dies, the next call activates it on a
/// survivor from what it last wrote, and the survivors' deltas go on counting once each.
/// </summary>
public sealed class OwnerFailoverTests
{
    [Fact]
    public async Task WhenTheSiloHoldingAnOwnerIsKilledTheOwnerAnswersFromASurvivorWithEveryCountItHadWritten()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var silos = await ThreeSilos.StartAsync(database, ownerCheckpoint: TimeSpan.FromMilliseconds(200));
        var harness = silos.Harness;
        var reference = harness.Engine();
        for (var round = 0; round < 3; round++)
        {
            var applied = await silos.SpreadAndFlushAsync(reference, round * 3_000L, (round + 1) * 3_000L);
            Assert.All(applied, batches => Assert.Equal(2, batches));
        }

        // Every owner wrote all it applied: its rows, merged into an empty engine, are one engine given every span.
        Assert.True(await PollAsync(async () =>
        {
            var saved = harness.Engine();
            foreach (var slo in ClusterHarness.Slos)
            {
                saved.Merge((await new OwnerStateStore(database.DataSource).LoadAsync(Tenants.Default, slo)).Tracks);
            }

            return ClusterHarness.Slos.All(slo => harness.Fingerprint(saved, slo) == harness.Fingerprint(reference, slo));
        }));

        var owner = SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability);
        var where = await silos.Cluster.Client.GetGrain<ISloOwnerGrain>(owner).Silo();
        var dead = silos.Silos.Single(s => s.SiloAddress.ToString() == where);
        var survivors = silos.Silos.Where(s => s != dead).ToList();
        await silos.Cluster.KillSiloAsync(dead);

        // A survivor's call finds the owner elsewhere, restored: the counts, burn rates, budget and alerts of all 9,000 spans.
        var grains = survivors[0].ServiceProvider.GetRequiredService<IGrainFactory>();
        SloReading? reading = null;
        Assert.True(await PollAsync(async () =>
        {
            try
            {
                reading = await grains.GetGrain<ISloOwnerGrain>(owner).Read();
                return true;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                return false; // the dead silo is not declared dead yet
            }
        }, TimeSpan.FromSeconds(90)));
        reference.EvaluateRound();
        ClusterHarness.AssertSameReading(SloOwnerGrain.Reading(reference.Status.Find(ClusterHarness.Availability)!.Overall.Status), reading!);
        Assert.NotEqual(where, await grains.GetGrain<ISloOwnerGrain>(owner).Silo());

        // The survivors' next deltas count once, on top: their sequences go on from those the new owner restored.
        for (var n = 9_000L; n < 9_600L; n++)
        {
            survivors[(int)(n % 2)].ServiceProvider.GetRequiredService<ClusterRecorder>().For(Tenants.Default).OnSpan(harness.Span(n));
        }

        foreach (var survivor in survivors)
        {
            Assert.Equal(2, await survivor.ServiceProvider.GetRequiredService<DeltaFlusher>().FlushAsync());
        }

        var total = (await grains.GetGrain<ISloOwnerGrain>(owner).Read()).Windows.Single(w => w.Window == "1h").Total;
        Assert.Equal(9_600, total);
        await using var connection = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await connection.ExecuteScalarAsync<int>(
            "SELECT count(*) FROM cluster_owner_applied WHERE slo = @slo", new { slo = ClusterHarness.Availability }));

        // Both survivors publish the moved owner's figures; only the one holding it now decides its alerts.
        var holder = await grains.GetGrain<ISloOwnerGrain>(owner).Silo();
        foreach (var survivor in survivors)
        {
            var tenant = survivor.ServiceProvider.GetRequiredService<SloTenants>().Default;
            var decides = await survivor.ServiceProvider.GetRequiredService<OwnerReader>().BeforeRoundAsync(tenant, CancellationToken.None);
            tenant.Engine.EvaluateRound();
            Assert.Equal(survivor.SiloAddress.ToString() == holder, decides.Contains(ClusterHarness.Availability));
            Assert.Equal(9_600, tenant.Engine.Status.Find(ClusterHarness.Availability)!.Overall.Status.Windows["1h"].Total);
        }
    }

    [Fact]
    public async Task AnOwnerForgetsTheSequenceOfAnInstanceThatSentNothingForLongerThanTheRetentionWhenItNextWrites()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var silos = await ThreeSilos.StartAsync(database, ownerCheckpoint: TimeSpan.FromMilliseconds(200));
        var harness = silos.Harness;
        var recorder = new DeltaRecorder(harness.Engine());
        var owner = silos.Cluster.Client.GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability));
        async Task<bool> ApplyAsync(string instance)
        {
            recorder.OnSpan(harness.Span(1));
            return await owner.Apply(new DeltaBatch(instance, 1, recorder.Flush().Single(d => d.Slo == ClusterHarness.Availability).Bytes));
        }

        Assert.True(await ApplyAsync("gone-instance"));
        Assert.True(await PollAsync(async () => (await InstancesAsync(database)).SequenceEqual(["gone-instance"])));

        // A day (Cluster:OwnerInstanceRetention) later, with a batch of another instance: the first one's entry goes.
        harness.Time.Advance(TimeSpan.FromHours(23));
        Assert.True(await ApplyAsync("live-instance"));
        Assert.True(await PollAsync(async () => (await InstancesAsync(database)).SequenceEqual(["gone-instance", "live-instance"])));
        harness.Time.Advance(TimeSpan.FromHours(2));
        Assert.True(await ApplyAsync("live-instance-2"));
        Assert.True(await PollAsync(async () => (await InstancesAsync(database)).SequenceEqual(["live-instance", "live-instance-2"])));

        // The live one's sequence is kept: its batch again changes nothing.
        recorder.OnSpan(harness.Span(2));
        Assert.False(await owner.Apply(new DeltaBatch("live-instance", 1, recorder.Flush().Single(d => d.Slo == ClusterHarness.Availability).Bytes)));
    }

    private static async Task<List<string>> InstancesAsync(TestDatabase database)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return [.. await connection.QueryAsync<string>(
            "SELECT instance_id FROM cluster_owner_applied WHERE slo = @slo ORDER BY instance_id", new { slo = ClusterHarness.Availability })];
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return false;
    }
}
