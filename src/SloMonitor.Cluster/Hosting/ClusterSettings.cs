namespace SloMonitor.Cluster;

/// <summary>How the service runs (configuration section <c>Cluster</c>).</summary>
public sealed class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>
    /// <c>none</c> (the default: one process, no Orleans) or <c>localhost</c> (one Orleans silo on loopback, each SLO
    /// owned by a grain beside the process' own engine). <c>postgres</c> (ADO.NET membership on the service's
    /// PostgreSQL) is refused until its schema migration exists.
    /// </summary>
    public string Mode { get; set; } = ClusterModes.None;

    /// <summary>How often an instance sends its deltas to the SLOs' owners (from 100 ms to 1 minute).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The silo-to-silo port on loopback (<c>localhost</c> mode).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The Orleans client gateway port on loopback (<c>localhost</c> mode).</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (Mode == ClusterModes.Postgres)
        {
            throw new InvalidOperationException("Cluster:Mode 'postgres' is not available yet: the migrations do not create Orleans' membership schema; use 'none' or 'localhost' (docs/cluster.md)");
        }

        if (Mode is not (ClusterModes.None or ClusterModes.Localhost))
        {
            throw new InvalidOperationException($"Cluster:Mode '{Mode}' is not one of none, localhost");
        }

        if (FlushInterval < TimeSpan.FromMilliseconds(100) || FlushInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Cluster:FlushInterval {FlushInterval} is not between 100 ms and 1 minute");
        }

        foreach (var (name, port) in new[] { (nameof(SiloPort), SiloPort), (nameof(GatewayPort), GatewayPort) })
        {
            if (port is < 1 or > 65535)
            {
                throw new InvalidOperationException($"Cluster:{name} {port} is not a port (1 to 65535)");
            }
        }

        if (SiloPort == GatewayPort)
        {
            throw new InvalidOperationException($"Cluster:SiloPort and Cluster:GatewayPort are both {SiloPort}");
        }
    }
}

/// <summary>The values of <see cref="ClusterSettings.Mode"/>.</summary>
public static class ClusterModes
{
    public const string None = "none";
    public const string Localhost = "localhost";
    public const string Postgres = "postgres";
}
