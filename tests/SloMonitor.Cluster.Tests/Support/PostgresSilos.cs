using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Hosting;
using Orleans.Runtime;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Flushing;
using SloMonitor.Cluster.Membership;
using SloMonitor.Slos.Hosting;
using SloMonitor.Testing;

namespace SloMonitor.Cluster.Tests.Support;

/// <summary>
/// Real Orleans silos in this process, each a host of its own as the service builds it in <c>postgres</c> mode: the
/// membership in a fresh PostgreSQL database migrated by SloMonitor's own migration, distinct ports on 127.0.0.1,
/// and each with the harness' tenants, a recorder and a flusher. Dispose to stop them and drop the database. On a
/// server of the test's own (<see cref="OwnedPostgres"/>), the test may stop PostgreSQL under them.
/// </summary>
internal sealed class PostgresSilos : IAsyncDisposable
{
    public const string ClusterId = "test-cluster";

    private readonly List<IHost> _hosts = [];
    private readonly HashSet<IHost> _stopped = [];

    private readonly TestDatabase? _database;

    private PostgresSilos(TestDatabase? database, NpgsqlDataSource dataSource, ClusterHarness harness)
    {
        _database = database;
        DataSource = dataSource;
        Harness = harness;
    }

    public NpgsqlDataSource DataSource { get; }

    public ClusterHarness Harness { get; }

    public IReadOnlyList<IHost> Hosts => _hosts;

    public static async Task<PostgresSilos> StartAsync(int count)
    {
        var database = await TestDatabase.CreateAsync();
        return await StartAsync(count, new PostgresSilos(database, database.DataSource, new ClusterHarness()));
    }

    /// <summary>Silos whose membership is in <paramref name="server"/>'s database, migrated now.</summary>
    public static async Task<PostgresSilos> StartAsync(int count, OwnedPostgres server)
    {
        var dataSource = Storage.DataSourceFactory.Create(server.ConnectionString, "slomonitor-tests");
        await Storage.MigrationRunner.ApplyAsync(dataSource, TestSchema.Migrations);
        return await StartAsync(count, new PostgresSilos(null, dataSource, new ClusterHarness()));
    }

    private static async Task<PostgresSilos> StartAsync(int count, PostgresSilos silos)
    {
        try
        {
            for (var i = 0; i < count; i++)
            {
                await silos.AddSiloAsync();
            }
        }
        catch
        {
            await silos.DisposeAsync();
            throw;
        }

        return silos;
    }

    /// <summary>Starts one more silo of the cluster; returns once it is active.</summary>
    public async Task<IHost> AddSiloAsync()
    {
        // A port found free can be taken before the silo binds it: then try other ports.
        for (var attempt = 1; ; attempt++)
        {
            var settings = new ClusterSettings
            {
                Mode = ClusterModes.Postgres,
                ClusterId = ClusterId,
                ServiceId = "test-service",
                SiloPort = FreePort(),
                GatewayPort = FreePort(),
                AdvertisedAddress = "127.0.0.1",
            };
            settings.Validate();
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.Services.AddSingleton(DataSource);
            builder.Services.AddSingleton(_ => Harness.Tenants());
            builder.Services.AddSingleton(sp => new ClusterRecorder(sp.GetRequiredService<SloTenants>()));
            builder.Services.AddSingleton(sp => new DeltaFlusher(
                sp.GetRequiredService<ClusterRecorder>(), sp.GetRequiredService<IGrainFactory>(), NullLogger<DeltaFlusher>.Instance,
                "silo-" + settings.SiloPort.ToString(CultureInfo.InvariantCulture)));
            builder.UseOrleans(silo => silo.UsePostgresMembership(settings));
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                _hosts.Add(host);
                return host;
            }
            catch (Exception e) when (attempt < 5 && e.ToString().Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                host.Dispose();
            }
        }
    }

    public ClusterRecorder Recorder(int silo) => _hosts[silo].Services.GetRequiredService<ClusterRecorder>();

    public DeltaFlusher Flusher(int silo) => _hosts[silo].Services.GetRequiredService<DeltaFlusher>();

    public IGrainFactory Grains(int silo) => _hosts[silo].Services.GetRequiredService<IGrainFactory>();

    public SiloAddress Address(int silo) => _hosts[silo].Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    /// <summary>The silos of the cluster as silo <paramref name="silo"/> sees them now: port and status.</summary>
    public IReadOnlyList<(int Port, SiloStatus Status)> View(int silo) =>
        [.. _hosts[silo].Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
            .Select(m => (m.SiloAddress.Endpoint.Port, m.Status)).OrderBy(m => m.Port)];

    /// <summary>The membership rows of the cluster in the database: port and status (Orleans' SiloStatus number).</summary>
    public async Task<IReadOnlyList<(int Port, int Status)>> RowsAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(int, int)>(
            "SELECT port, status FROM cluster_member WHERE cluster_id = @ClusterId ORDER BY port", new { ClusterId });
        return [.. rows];
    }

    /// <summary>Stops silo <paramref name="silo"/> the way the service stops (gracefully); it stays in <see cref="Hosts"/>.</summary>
    public async Task StopAsync(int silo)
    {
        await _hosts[silo].StopAsync();
        _stopped.Add(_hosts[silo]);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in Enumerable.Reverse(_hosts))
        {
            try
            {
                if (_stopped.Add(host))
                {
                    await host.StopAsync();
                }
            }
            finally
            {
                host.Dispose();
            }
        }

        NpgsqlConnection.ClearAllPools();
        if (_database is null)
        {
            await DataSource.DisposeAsync();
        }
        else
        {
            await _database.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
