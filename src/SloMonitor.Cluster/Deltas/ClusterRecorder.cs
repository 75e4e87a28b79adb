using System.Collections.Concurrent;
using SloMonitor.Otlp;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Cluster.Deltas;

/// <summary>
/// An instance's recorders, one per tenant, over the tenants' engines (which hold the definitions): the sink ingest
/// hands a request's events to in cluster mode. <see cref="Flush"/> collects every tenant's deltas. With
/// <paramref name="alsoLocal"/>, events go to the tenants' own engines too (see <see cref="DeltaRecorder"/>).
/// </summary>
public sealed class ClusterRecorder(SloTenants tenants, bool alsoLocal = false)
{
    private readonly ConcurrentDictionary<string, DeltaRecorder> _recorders = new(StringComparer.Ordinal);

    /// <summary>The sink of <paramref name="tenant"/>'s events.</summary>
    public ITelemetrySink For(string tenant) => Recorder(tenant);

    internal DeltaRecorder Recorder(string tenant) =>
        _recorders.GetOrAdd(tenant, static (name, state) => new DeltaRecorder(state.Tenants.For(name).Engine, state.AlsoLocal), (Tenants: tenants, AlsoLocal: alsoLocal));

    /// <summary>What every tenant recorded since the previous flush, one delta per SLO that recorded anything.</summary>
    internal List<(string Tenant, SloDelta Delta)> Flush()
    {
        var all = new List<(string, SloDelta)>();
        foreach (var (tenant, recorder) in _recorders)
        {
            foreach (var delta in recorder.Flush())
            {
                all.Add((tenant, delta));
            }
        }

        return all;
    }
}
