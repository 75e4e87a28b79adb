using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace SloMonitor.Cluster;

/// <summary>How the service runs (configuration section <c>Cluster</c>).</summary>
public sealed partial class ClusterSettings
{
    public const string Section = "Cluster";

    /// <summary>
    /// <c>none</c> (the default: one process, no Orleans), <c>localhost</c> (one Orleans silo on loopback, each SLO
    /// owned by a grain beside the process' own engine) or <c>postgres</c> (a silo that joins the cluster whose
    /// membership lives in the service's PostgreSQL, through Orleans' ADO.NET clustering).
    /// </summary>
    public string Mode { get; set; } = ClusterModes.None;

    /// <summary>How often an instance sends its deltas to the SLOs' owners (from 100 ms to 1 minute).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often an SLO's owner writes its state to PostgreSQL when it changed (and always when it deactivates): the
    /// most of the SLO's deltas lost when the instance holding the owner dies. Zero keeps owners in memory only.
    /// </summary>
    public TimeSpan OwnerCheckpointInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The default of <see cref="OwnerInstanceRetention"/>.</summary>
    public static readonly TimeSpan DefaultOwnerInstanceRetention = TimeSpan.FromDays(1);

    /// <summary>
    /// How long an owner remembers the last sequence of an instance that sends it nothing more (from 1 hour to 30
    /// days, and at least the time a batch may wait to be re-sent: 600 flush intervals). An instance id is new at each
    /// start of a process, so what it keeps beyond that is of processes gone.
    /// </summary>
    public TimeSpan OwnerInstanceRetention { get; set; } = DefaultOwnerInstanceRetention;

    /// <summary>
    /// How many SLO owners an instance asks at once for their evaluation before each round (from 1 to 4,096): every
    /// instance reads every SLO's figures from its owner, so that it answers for all of them.
    /// </summary>
    public int OwnerReadConcurrency { get; set; } = 64;

    /// <summary>
    /// How long a silo waits for a peer's answer to a membership probe (Orleans' <c>ProbeTimeout</c>, 5 s by default
    /// there); three missed probes in a row and the votes of the peers declare the silo dead, so this sets the time
    /// until a dead instance's SLO owners move (from 500 ms to 1 minute).
    /// </summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The silo-to-silo port: on loopback (<c>localhost</c>) or on the advertised address (<c>postgres</c>).</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The Orleans client gateway port, beside <see cref="SiloPort"/>.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The cluster an instance joins (<c>postgres</c>): instances of one cluster id share their SLOs; the membership
    /// rows are kept per cluster id, so two clusters can share one database.
    /// </summary>
    public string ClusterId { get; set; } = "slomonitor";

    /// <summary>Orleans' service id (<c>postgres</c>): the same for every cluster of this service, across deployments.</summary>
    public string ServiceId { get; set; } = "slomonitor";

    /// <summary>
    /// The address the other instances reach this one at (<c>postgres</c>): an IP address, or a host name resolved at
    /// start-up. Empty: Orleans picks the machine's first IPv4 address that is not loopback (with
    /// <see cref="Kubernetes"/>: the pod's IP).
    /// </summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>
    /// Orleans' Kubernetes hosting (<c>postgres</c> only): the pod's name is the silo's name, its IP the advertised
    /// address, and a silo whose pod is gone is declared dead at once. Needs <c>POD_NAME</c>, <c>POD_NAMESPACE</c>
    /// and <c>POD_IP</c> from the downward API and a role that may get, list, watch and patch pods.
    /// </summary>
    public bool Kubernetes { get; set; }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting that is wrong.</summary>
    public void Validate()
    {
        if (Mode is not (ClusterModes.None or ClusterModes.Localhost or ClusterModes.Postgres))
        {
            throw new InvalidOperationException($"Cluster:Mode '{Mode}' is not one of none, localhost, postgres");
        }

        if (FlushInterval < TimeSpan.FromMilliseconds(100) || FlushInterval > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Cluster:FlushInterval {FlushInterval} is not between 100 ms and 1 minute");
        }

        if (OwnerCheckpointInterval != TimeSpan.Zero && (OwnerCheckpointInterval < TimeSpan.FromMilliseconds(100) || OwnerCheckpointInterval > TimeSpan.FromHours(1)))
        {
            throw new InvalidOperationException($"Cluster:OwnerCheckpointInterval {OwnerCheckpointInterval} is not 0 (off) or between 100 ms and 1 hour");
        }

        if (OwnerInstanceRetention < TimeSpan.FromHours(1) || OwnerInstanceRetention > TimeSpan.FromDays(30)
            || OwnerInstanceRetention < FlushInterval * Flushing.DeltaFlusher.MaxQueuedPerOwner)
        {
            throw new InvalidOperationException(
                $"Cluster:OwnerInstanceRetention {OwnerInstanceRetention} is not between 1 hour and 30 days, or is shorter than 600 flush intervals ({FlushInterval * Flushing.DeltaFlusher.MaxQueuedPerOwner})");
        }

        if (OwnerReadConcurrency is < 1 or > 4096)
        {
            throw new InvalidOperationException($"Cluster:OwnerReadConcurrency {OwnerReadConcurrency} is not between 1 and 4096");
        }

        if (ProbeTimeout < TimeSpan.FromMilliseconds(500) || ProbeTimeout > TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException($"Cluster:ProbeTimeout {ProbeTimeout} is not between 500 ms and 1 minute");
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

        foreach (var (name, value) in new[] { (nameof(ClusterId), ClusterId), (nameof(ServiceId), ServiceId) })
        {
            // Also a valid Kubernetes label value: Orleans' Kubernetes hosting labels the pods with both.
            if (value is null || !IdPattern().IsMatch(value))
            {
                throw new InvalidOperationException($"Cluster:{name} '{value}' is not 1 to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
            }
        }

        if (Kubernetes && Mode != ClusterModes.Postgres)
        {
            throw new InvalidOperationException($"Cluster:Kubernetes is true but Cluster:Mode is '{Mode}': Kubernetes hosting needs the postgres mode");
        }

        if (Mode == ClusterModes.Postgres)
        {
            _ = AdvertisedIPAddress();
        }
    }

    /// <summary>
    /// <see cref="AdvertisedAddress"/> as an IP address (a host name is resolved now, IPv4 first); null when it is
    /// empty. Throws <see cref="InvalidOperationException"/> naming the setting when it is neither.
    /// </summary>
    public IPAddress? AdvertisedIPAddress()
    {
        if (string.IsNullOrWhiteSpace(AdvertisedAddress))
        {
            return null;
        }

        var text = AdvertisedAddress.Trim();
        if (IPAddress.TryParse(text, out var address))
        {
            return Usable(address) ? address : throw new InvalidOperationException($"Cluster:AdvertisedAddress '{text}' is not an address other instances can reach");
        }

        if (Uri.CheckHostName(text) != UriHostNameType.Dns)
        {
            throw new InvalidOperationException($"Cluster:AdvertisedAddress '{text}' is neither an IP address nor a host name");
        }

        IPAddress[] resolved;
        try
        {
            resolved = Dns.GetHostAddresses(text);
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException($"Cluster:AdvertisedAddress '{text}' does not resolve: {e.Message}", e);
        }

        return resolved.Where(Usable).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
            ?? throw new InvalidOperationException($"Cluster:AdvertisedAddress '{text}' resolves to no address other instances can reach");
    }

    private static bool Usable(IPAddress address) =>
        !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.None) && !address.Equals(IPAddress.IPv6None);

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}

/// <summary>The values of <see cref="ClusterSettings.Mode"/>.</summary>
public static class ClusterModes
{
    public const string None = "none";
    public const string Localhost = "localhost";
    public const string Postgres = "postgres";
}
