using Orleans.Runtime;
using SloMonitor.Cluster.Owners;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Cluster.Tests.Membership;

/// <summary>
/// Three real silos in this process, on distinct ports of 127.0.0.1, joined through Orleans' ADO.NET clustering on a
/// real PostgreSQL whose schema is SloMonitor's migration alone.
/// </summary>
public sealed class PostgresMembershipTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ThreeSilosJoinThroughTheDatabaseAndEachSeesAllThreeActive()
    {
        await using var silos = await PostgresSilos.StartAsync(3);
        var ports = Enumerable.Range(0, 3).Select(i => silos.Address(i).Endpoint.Port).Order().ToArray();

        var rows = await silos.RowsAsync();

        Assert.Equal(ports.Select(port => (port, (int)SiloStatus.Active)), rows);
        for (var silo = 0; silo < 3; silo++)
        {
            await Poll.UntilAsync(
                () => Task.FromResult(silos.View(silo)), view => view.SequenceEqual(ports.Select(port => (port, SiloStatus.Active))),
                Patience, $"silo {silo} seeing the three silos active");
        }
    }

    [Fact]
    public async Task AnOwnerActivatedThroughOneSiloAnswersTheOthersWithWhatAllThreeSent()
    {
        await using var silos = await PostgresSilos.StartAsync(3);
        var harness = silos.Harness;
        var reference = harness.Engine();
        var key = SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability);

        // Only the first silo has sent: the owner it activated answers the third.
        for (var n = 0L; n < 900; n++)
        {
            silos.Recorder(0).For(Tenants.Default).OnSpan(harness.Span(n));
            reference.OnSpan(harness.Span(n));
        }

        Assert.Equal(2, await silos.Flusher(0).FlushAsync());
        Assert.Equal(900, Hour(await silos.Grains(2).GetGrain<ISloOwnerGrain>(key).Read()).Total);

        // Then all three send: every silo reads the one owner, with every span of the three.
        for (var n = 900L; n < 3_900; n++)
        {
            silos.Recorder((int)(n % 3)).For(Tenants.Default).OnSpan(harness.Span(n));
            reference.OnSpan(harness.Span(n));
        }

        for (var silo = 0; silo < 3; silo++)
        {
            await silos.Flusher(silo).FlushAsync();
        }

        reference.EvaluateRound();
        var expected = SloOwnerGrain.Reading(reference.Status.Find(ClusterHarness.Availability)!.Overall.Status);
        for (var silo = 0; silo < 3; silo++)
        {
            var reading = await silos.Grains(silo).GetGrain<ISloOwnerGrain>(key).Read();
            Assert.Equal(3_900, Hour(reading).Total);
            Assert.Equal(expected.Windows, reading.Windows);
            Assert.Equal(expected.State, reading.State);
        }
    }

    [Fact]
    public async Task ASiloThatStopsIsMarkedDeadAndTheOthersGoOnAndAdmitANewOne()
    {
        await using var silos = await PostgresSilos.StartAsync(3);
        var gone = silos.Address(2).Endpoint.Port;

        await silos.StopAsync(2);

        Assert.Contains((gone, (int)SiloStatus.Dead), await silos.RowsAsync());
        Assert.Equal(2, (await silos.RowsAsync()).Count(row => row.Status == (int)SiloStatus.Active));
        for (var silo = 0; silo < 2; silo++)
        {
            await Poll.UntilAsync(
                () => Task.FromResult(silos.View(silo)), view => view.Contains((gone, SiloStatus.Dead)) && view.Count(m => m.Status == SiloStatus.Active) == 2,
                Patience, $"silo {silo} seeing the stopped silo dead");
        }

        // The two that remain still own and answer; a new silo joins beside the dead row.
        var harness = silos.Harness;
        for (var n = 0L; n < 300; n++)
        {
            silos.Recorder(0).For(Tenants.Default).OnSpan(harness.Span(n));
        }

        await silos.Flusher(0).FlushAsync();
        Assert.Equal(300, Hour(await silos.Grains(1).GetGrain<ISloOwnerGrain>(SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability)).Read()).Total);
        await silos.AddSiloAsync();
        var rows = await silos.RowsAsync();
        Assert.Equal(4, rows.Count);
        Assert.Equal(3, rows.Count(row => row.Status == (int)SiloStatus.Active));
    }

    private static WindowFigures Hour(SloReading reading) => reading.Windows.Single(w => w.Window == "1h");
}
