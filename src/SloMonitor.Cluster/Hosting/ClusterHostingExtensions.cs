using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Cluster.Flushing;
using Npgsql;
using SloMonitor.Cluster.Membership;
using SloMonitor.Cluster.Owners;
using SloMonitor.Otlp;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Cluster;

public static class ClusterHostingExtensions
{
    /// <summary>
    /// Adds what <c>Cluster:Mode</c> asks for. <c>none</c> adds nothing: the service runs as one process. <c>localhost</c>
    /// starts one Orleans silo on loopback, <c>postgres</c> one that joins the cluster whose membership is in the
    /// service's PostgreSQL (<see cref="PostgresMembership"/>); both make ingest record each tenant's events into its
    /// engine and into deltas (<see cref="ClusterRecorder"/>), send the deltas to the SLOs' owner grains every
    /// flush interval, and publish the owners' evaluations before each round (<see cref="OwnerReader"/>), so that
    /// every instance answers for every SLO and only an SLO's owner decides its alerts. Call after the SLO services and
    /// the data source are added (it replaces ingest's sinks).
    /// Returns the settings; throws on a bad one.
    /// </summary>
    public static ClusterSettings AddSloCluster(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = builder.Configuration.GetSection(ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();
        settings.Validate();
        if (settings.Mode == ClusterModes.None)
        {
            return settings;
        }

        AddSilo(builder, settings);
        return settings;
    }

    /// <summary>
    /// The silo and the delta path. A method of its own, never inlined: the JIT resolves the Orleans types named here
    /// only when it compiles it, so a single process (<c>none</c>) never loads Orleans' assemblies.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddSilo(IHostApplicationBuilder builder, ClusterSettings settings)
    {
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new OwnerStateStore(sp.GetRequiredService<NpgsqlDataSource>()));
        builder.UseOrleans(silo =>
        {
            if (settings.Mode == ClusterModes.Postgres)
            {
                silo.UsePostgresMembership(settings);
            }
            else
            {
                silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort);
            }
        });
        builder.Services.AddSingleton(sp => new ClusterRecorder(sp.GetRequiredService<SloTenants>(), alsoLocal: true));
        builder.Services.AddSingleton(sp => new DeltaFlusher(
            sp.GetRequiredService<ClusterRecorder>(), sp.GetRequiredService<IGrainFactory>(), sp.GetRequiredService<ILogger<DeltaFlusher>>()));
        builder.Services.AddHostedService<DeltaFlushLoop>();
        builder.Services.AddSingleton<OwnerReader>();
        builder.Services.AddSingleton(sp => new SloOwnership(sp.GetRequiredService<OwnerReader>().BeforeRoundAsync));
        builder.Services.AddSingleton(sp => new TenantSinks(
            tenant => sp.GetRequiredService<ClusterRecorder>().For(tenant), sp.GetRequiredService<IHttpContextAccessor>()));
    }
}
