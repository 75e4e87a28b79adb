using Orleans.Runtime;
using SloMonitor.Cluster.Owners;
using SloMonitor.Cluster.Tests.Support;
using SloMonitor.Storage;
using SloMonitor.Testing;

namespace SloMonitor.Cluster.Tests.Membership;

/// <summary>
/// Three real silos whose membership is in a PostgreSQL of the test's own, which the test stops under them and starts
/// again: the cluster does not need its database from moment to moment, only to change its membership.
/// </summary>
public sealed class PostgresOutageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task WhileTheDatabaseIsAwayTheSilosStayMembersAndTheirOwnersCountEveryFlushAndAfterwardsANewSiloJoins()
    {
        await using var server = await OwnedPostgres.StartAsync();
        await using var silos = await PostgresSilos.StartAsync(3, server);
        var harness = silos.Harness;
        var key = SloOwnerKey.Of(Tenants.Default, ClusterHarness.Availability);
        var ports = Enumerable.Range(0, 3).Select(i => silos.Address(i).Endpoint.Port).Order().ToArray();
        for (var silo = 0; silo < 3; silo++)
        {
            await Poll.UntilAsync(() => Task.FromResult(silos.View(silo)), view => view.Count(m => m.Status == SiloStatus.Active) == 3, Patience, $"silo {silo} seeing three active");
        }

        async Task SendAsync(long from, long to)
        {
            for (var n = from; n < to; n++)
            {
                silos.Recorder((int)(n % 3)).For(Tenants.Default).OnSpan(harness.Span(n));
            }

            for (var silo = 0; silo < 3; silo++)
            {
                await silos.Flusher(silo).FlushAsync();
            }
        }

        await SendAsync(0, 900);
        Assert.Equal(900, Hour(await silos.Grains(1).GetGrain<ISloOwnerGrain>(key).Read()).Total);

        // PostgreSQL goes away for longer than one heartbeat (every silo's write of its alive time, each 30 s, fails):
        // the silos go on as they were, none suspected, and their owners take every flush.
        await server.StopAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(35));
            await SendAsync(900, 1_800);
            for (var silo = 0; silo < 3; silo++)
            {
                Assert.Equal(1_800, Hour(await silos.Grains(silo).GetGrain<ISloOwnerGrain>(key).Read()).Total);
                Assert.Equal(ports.Select(port => (port, SiloStatus.Active)), silos.View(silo));
            }
        }
        finally
        {
            await server.RestartAsync();
        }

        // Back: the rows are as they were, the owners kept counting, and a new silo can join.
        Assert.Equal(ports.Select(port => (port, (int)SiloStatus.Active)), await silos.RowsAsync());
        await SendAsync(1_800, 2_100);
        Assert.Equal(2_100, Hour(await silos.Grains(2).GetGrain<ISloOwnerGrain>(key).Read()).Total);
        await silos.AddSiloAsync();
        await Poll.UntilAsync(() => silos.RowsAsync(), rows => rows.Count(r => r.Status == (int)SiloStatus.Active) == 4, Patience, "four active rows");
    }

    private static WindowFigures Hour(SloReading reading) => reading.Windows.Single(w => w.Window == "1h");
}
