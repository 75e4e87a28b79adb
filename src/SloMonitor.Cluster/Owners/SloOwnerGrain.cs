using Orleans;
using SloMonitor.Cluster.Deltas;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Recording;
using SloMonitor.Slos.Hosting;

namespace SloMonitor.Cluster.Owners;

/// <summary>
/// Holds one SLO's authoritative series in an engine of its own (one SLO, the definition and limits of the silo's
/// tenant engine), adds the instances' deltas to it slice by slice (SliSeries.MergeFrom, through the checkpoint merge), and evaluates it on
/// demand. The last sequence applied from each instance makes a re-sent batch a no-op.
/// </summary>
/// <remarks>
/// State lives in memory only in this version: the grain is kept active for as long as its silo runs, and what it
/// holds is lost with the silo (persisted state and failover are the next step).
/// </remarks>
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class SloOwnerGrain(SloTenants tenants) : Grain, ISloOwnerGrain
{
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);
    private string _tenant = "";
    private string _slo = "";
    private SloEngine? _engine;
    private SloDefinition? _definition;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _slo) = SloOwnerKey.Parse(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public Task<bool> Apply(DeltaBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(batch.InstanceId, nameof(batch.InstanceId));
        if (_applied.TryGetValue(batch.InstanceId, out var last) && batch.Sequence <= last)
        {
            return Task.FromResult(false);
        }

        var rows = DeltaFormat.Read(batch.Bytes);
        var engine = Engine();
        engine.Merge(rows.ConvertAll(row => new SloSeriesCheckpoint(_slo, row.SeriesKey, row.State, _tenant)));
        _applied[batch.InstanceId] = batch.Sequence;
        return Task.FromResult(true);
    }

    public Task<SloReading> Read()
    {
        var engine = Engine();
        if (_definition is null)
        {
            return Task.FromResult(new SloReading(false, SloStatus.NoData, [], null, []));
        }

        engine.EvaluateRound();
        var status = engine.Status.Find(_slo)?.Overall.Status;
        return Task.FromResult(status is null ? new SloReading(false, SloStatus.NoData, [], null, []) : Reading(status));
    }

    internal static SloReading Reading(SloStatus status)
    {
        var windows = new List<WindowFigures>(status.Windows.Count);
        foreach (var (name, window) in status.Windows)
        {
            windows.Add(new WindowFigures(name, window.Good, window.Total, window.Sli, window.BurnRate));
        }

        var alerts = status.Alerts.Select(a => $"{a.Severity} {a.LongWindow}/{a.ShortWindow}").ToArray();
        return new SloReading(true, status.State, [.. windows], status.ErrorBudget.RemainingRatio, alerts);
    }

    /// <summary>
    /// The owner's engine, with the definition the silo's tenant engine has now (kept data while its SLI is the same).
    /// Before the silo knows the SLO, merged deltas wait in the engine for its definition.
    /// </summary>
    private SloEngine Engine()
    {
        var source = tenants.For(_tenant).Engine;
        _engine ??= new SloEngine(source.Time, source.Options, _tenant);
        if (source.Find(_slo) is { } definition && !ReferenceEquals(definition, _definition))
        {
            _engine.Set(definition);
            _definition = definition;
        }

        return _engine;
    }
}
