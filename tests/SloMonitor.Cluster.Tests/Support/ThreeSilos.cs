using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Runtime;
using Orleans.TestingHost;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Flushing;
using SloMonitor.Cluster.Owners;
using SloMonitor.Testing;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Cluster.Tests.Support;

/// <summary>
/// An in-process Orleans cluster of three silos, each an instance as the service runs it: its own tenants (the
/// harness' SLOs, on the harness' clock), its recorder, its flusher and its reader of the owners. Dispose to stop it.
/// </summary>
internal sealed class ThreeSilos : IAsyncDisposable
{
    private ThreeSilos(InProcessTestCluster cluster, ClusterHarness harness)
    {
        Cluster = cluster;
        Harness = harness;
    }

    public InProcessTestCluster Cluster { get; }

    public ClusterHarness Harness { get; }

    public IReadOnlyList<InProcessSiloHandle> Silos => Cluster.Silos;

    /// <summary>
    /// Starts the three silos; with <paramref name="database"/>, the owners keep their state in it (written every
    /// <paramref name="ownerCheckpoint"/>), as the service's owners do in its PostgreSQL.
    /// </summary>
    public static async Task<ThreeSilos> StartAsync(TestDatabase? database = null, TimeSpan? ownerCheckpoint = null)
    {
        var harness = new ClusterHarness();
        var builder = new InProcessTestClusterBuilder(3);
        builder.ConfigureSilo((options, silo) =>
        {
            if (database is not null)
            {
                silo.Services.AddSingleton(new OwnerStateStore(database.DataSource));
                silo.Services.AddSingleton(new ClusterSettings { OwnerCheckpointInterval = ownerCheckpoint ?? TimeSpan.FromSeconds(5) });
            }

            silo.Services.AddSingleton(_ => harness.Tenants());
            silo.Services.AddSingleton(sp => new ClusterRecorder(sp.GetRequiredService<SloTenants>(), alsoLocal: true));
            silo.Services.AddSingleton(sp => new DeltaFlusher(sp.GetRequiredService<ClusterRecorder>(), sp.GetRequiredService<IGrainFactory>(), NullLogger<DeltaFlusher>.Instance, options.SiloName));
            silo.Services.AddSingleton(sp => new OwnerReader(
                sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILocalSiloDetails>(), new SloOptions(), new ClusterSettings(), NullLogger<OwnerReader>.Instance));
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ThreeSilos(cluster, harness);
    }

    /// <summary>
    /// Records the harness' spans <paramref name="from"/> to <paramref name="to"/> round robin on the three silos (span
    /// n on silo n mod 3) and into <paramref name="reference"/>, then flushes every silo; returns each flush's batches applied.
    /// </summary>
    public async Task<int[]> SpreadAndFlushAsync(SloEngine reference, long from, long to)
    {
        for (var n = from; n < to; n++)
        {
            var span = Harness.Span(n);
            Recorder((int)(n % 3)).For(Storage.Tenants.Default).OnSpan(span);
            reference.OnSpan(span);
        }

        var applied = new int[3];
        for (var silo = 0; silo < 3; silo++)
        {
            applied[silo] = await Flusher(silo).FlushAsync();
        }

        return applied;
    }

    public ClusterRecorder Recorder(int silo) => Silos[silo].ServiceProvider.GetRequiredService<ClusterRecorder>();

    public DeltaFlusher Flusher(int silo) => Silos[silo].ServiceProvider.GetRequiredService<DeltaFlusher>();

    public OwnerReader Reader(int silo) => Silos[silo].ServiceProvider.GetRequiredService<OwnerReader>();

    /// <summary>The instance's tenants: what its API, UI and /metrics read.</summary>
    public SloTenants Tenants(int silo) => Silos[silo].ServiceProvider.GetRequiredService<SloTenants>();

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}
