using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Configuration;
using Orleans.Hosting;

namespace SloMonitor.Cluster.Membership;

/// <summary>
/// A silo of the <c>postgres</c> mode: Orleans' ADO.NET clustering on the service's own PostgreSQL (the
/// <see cref="NpgsqlDataSource"/> it already has), with the membership tables and the provider's named queries that
/// migration <c>0013_cluster_membership</c> creates; the cluster and service ids, the ports and the advertised
/// address of <see cref="ClusterSettings"/>; Orleans' Kubernetes hosting when asked for.
/// </summary>
internal static class PostgresMembership
{
    /// <summary>The ADO.NET invariant of Npgsql; Orleans checks that the data source's connections are of its type.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Configures <paramref name="silo"/> to join through the database. The <see cref="NpgsqlDataSource"/> comes
    /// from the host's services; the schema must be migrated before the silo starts (the host migrates first).
    /// </summary>
    public static ISiloBuilder UsePostgresMembership(this ISiloBuilder silo, ClusterSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        var advertised = settings.AdvertisedIPAddress();
        silo.Configure<ClusterOptions>(cluster =>
        {
            cluster.ClusterId = settings.ClusterId;
            cluster.ServiceId = settings.ServiceId;
        });
        silo.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.SiloPort = settings.SiloPort;
            endpoints.GatewayPort = settings.GatewayPort;
            if (advertised is not null)
            {
                // Listens where it advertises; with Kubernetes hosting, on every address of the pod.
                endpoints.AdvertisedIPAddress = advertised;
            }
        });
        silo.Configure<ClusterMembershipOptions>(membership => membership.ProbeTimeout = settings.ProbeTimeout);
        silo.UseAdoNetClustering(options => options.Configure<NpgsqlDataSource>((clustering, dataSource) =>
        {
            clustering.Invariant = Invariant;
            clustering.DataSource = dataSource;
        }));
        if (settings.Kubernetes)
        {
            silo.UseKubernetesHosting();
        }

        return silo;
    }
}
