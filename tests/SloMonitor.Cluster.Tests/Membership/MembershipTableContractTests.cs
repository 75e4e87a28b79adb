using System.Net;
using static System.Threading.CancellationToken;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using SloMonitor.Cluster.Membership;
using SloMonitor.Testing;

namespace SloMonitor.Cluster.Tests.Membership;

/// <summary>
/// Orleans' own ADO.NET membership table and gateway list, on the schema and queries of SloMonitor's migration:
/// the membership protocol's rules (a change counts only against the version it read, and fails without side
/// effects otherwise) hold on a real PostgreSQL.
/// </summary>
public sealed class MembershipTableContractTests
{
    private static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task ATableInitializedTwiceHasOneVersionAndNoMembers()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        await TableAsync(database, "c1");

        var data = await table.ReadAllAsync(None);

        Assert.Equal(0, data.Version.Version);
        Assert.Empty(data.Members);
        Assert.Equal(1, await CountAsync(database, "SELECT count(*) FROM cluster_membership_version"));
    }

    [Fact]
    public async Task AJoinCountsOnlyAgainstTheVersionItReadAndASiloJoinsOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        var read = (await table.ReadAllAsync(None)).Version;

        Assert.True(await table.InsertRowAsync(Entry(11111, SiloStatus.Joining), read.Next(), None));
        Assert.False(await table.InsertRowAsync(Entry(11112, SiloStatus.Joining), read.Next(), None)); // read before the first join
        var current = (await table.ReadAllAsync(None)).Version;
        Assert.False(await table.InsertRowAsync(Entry(11111, SiloStatus.Joining), current.Next(), None)); // already there

        var data = await table.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        var member = Assert.Single(data.Members).Item1;
        Assert.Equal(SiloAddress.New(IPAddress.Loopback, 11111, 7), member.SiloAddress);
        Assert.Equal(("silo-11111", "host-a", SiloStatus.Joining, 30000), (member.SiloName, member.HostName, member.Status, member.ProxyPort));
        Assert.Equal(Now, member.StartTime);
        Assert.Equal(Now, member.IAmAliveTime);
    }

    [Fact]
    public async Task AnUpdateCountsOnlyAgainstTheVersionItReadAndKeepsTheSuspicions()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        await table.InsertRowAsync(Entry(11111, SiloStatus.Joining), (await table.ReadAllAsync(None)).Version.Next(), None);
        var stale = await table.ReadAllAsync(None);
        var etag = Assert.Single(stale.Members).Item2;
        var active = Entry(11111, SiloStatus.Active);
        Assert.True(await table.UpdateRowAsync(active, etag, stale.Version.Next(), None));

        var suspected = Entry(11111, SiloStatus.Active);
        suspected.AddSuspector(SiloAddress.New(IPAddress.Loopback, 11112, 9), Now.AddSeconds(5));
        Assert.False(await table.UpdateRowAsync(suspected, etag, stale.Version.Next(), None));
        var current = await table.ReadAllAsync(None);
        Assert.False(await table.UpdateRowAsync(Entry(11199, SiloStatus.Dead), etag, current.Version.Next(), None)); // no such silo
        Assert.True(await table.UpdateRowAsync(suspected, Assert.Single(current.Members).Item2, current.Version.Next(), None));

        var data = await table.ReadRowAsync(active.SiloAddress, None);
        Assert.Equal(3, data.Version.Version); // the join and two updates
        var member = Assert.Single(data.Members).Item1;
        Assert.Equal(SiloStatus.Active, member.Status);
        var suspicion = Assert.Single(member.SuspectTimes!);
        Assert.Equal((SiloAddress.New(IPAddress.Loopback, 11112, 9), Now.AddSeconds(5)), (suspicion.Item1, suspicion.Item2));
    }

    [Fact]
    public async Task AHeartbeatMovesTheSilosAliveTimeButNotTheVersion()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        var entry = Entry(11111, SiloStatus.Active);
        await table.InsertRowAsync(entry, (await table.ReadAllAsync(None)).Version.Next(), None);

        entry.IAmAliveTime = Now.AddSeconds(30);
        await table.UpdateIAmAliveAsync(entry, None);

        var data = await table.ReadAllAsync(None);
        Assert.Equal(1, data.Version.Version);
        Assert.Equal(Now.AddSeconds(30), Assert.Single(data.Members).Item1.IAmAliveTime);
    }

    [Fact]
    public async Task ReadingASiloThatIsNotThereGivesTheVersionAlone()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(None)).Version.Next(), None);

        var data = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 11111, 8), None);

        Assert.Equal(1, data.Version.Version);
        Assert.Empty(data.Members);
    }

    [Fact]
    public async Task CleanupRemovesOnlySilosThatAreNotActiveAndWereLastAliveBeforeTheDate()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(None)).Version.Next(), None);
        await table.InsertRowAsync(Entry(11112, SiloStatus.Dead), (await table.ReadAllAsync(None)).Version.Next(), None);
        var recentlyDead = Entry(11113, SiloStatus.Dead);
        recentlyDead.IAmAliveTime = Now.AddHours(2);
        await table.InsertRowAsync(recentlyDead, (await table.ReadAllAsync(None)).Version.Next(), None);

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddHours(1)), None);

        Assert.Equal([11111, 11113], (await table.ReadAllAsync(None)).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order());
    }

    [Fact]
    public async Task DeletingAClustersEntriesLeavesOtherClustersInTheSameDatabase()
    {
        await using var database = await TestDatabase.CreateAsync();
        var first = await TableAsync(database, "c1");
        var second = await TableAsync(database, "c2");
        await first.InsertRowAsync(Entry(11111, SiloStatus.Active), (await first.ReadAllAsync(None)).Version.Next(), None);
        await second.InsertRowAsync(Entry(11111, SiloStatus.Active), (await second.ReadAllAsync(None)).Version.Next(), None);

        await first.DeleteMembershipTableEntriesAsync("c1", None);

        Assert.Equal(0, await CountAsync(database, "SELECT count(*) FROM cluster_membership_version WHERE cluster_id = 'c1'"));
        Assert.Single((await second.ReadAllAsync(None)).Members);
    }

    [Fact]
    public async Task TheGatewayListHasTheActiveSilosWithAGatewayOnly()
    {
        await using var database = await TestDatabase.CreateAsync();
        var table = await TableAsync(database, "c1");
        await table.InsertRowAsync(Entry(11111, SiloStatus.Active), (await table.ReadAllAsync(None)).Version.Next(), None);
        await table.InsertRowAsync(Entry(11112, SiloStatus.Dead), (await table.ReadAllAsync(None)).Version.Next(), None);
        var noGateway = Entry(11113, SiloStatus.Active);
        noGateway.ProxyPort = 0;
        await table.InsertRowAsync(noGateway, (await table.ReadAllAsync(None)).Version.Next(), None);
        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance, new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = PostgresMembership.Invariant, DataSource = database.DataSource }),
            Options.Create(new GatewayOptions()), Options.Create(new ClusterOptions { ClusterId = "c1", ServiceId = "s" }));
        await gateways.InitializeGatewayListProvider();

        var list = await gateways.GetGateways();

        Assert.Equal([SiloAddress.New(IPAddress.Loopback, 30000, 7).ToGatewayUri()], list);
    }

    private static async Task<AdoNetClusteringTable> TableAsync(TestDatabase database, string clusterId)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "s" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresMembership.Invariant, DataSource = database.DataSource }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true, None);
        return table;
    }

    /// <summary>A silo on 127.0.0.1 of generation 7, its gateway on 30000, started and last alive at <see cref="Now"/>.</summary>
    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "host-a",
        Status = status,
        ProxyPort = 30000,
        StartTime = Now,
        IAmAliveTime = Now,
    };

    private static async Task<long> CountAsync(TestDatabase database, string sql)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }
}
