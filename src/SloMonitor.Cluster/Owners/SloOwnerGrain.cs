using Orleans;
using Prometheus;
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
/// The grain is kept active for as long as its silo runs. With a state store (the service registers one on its
/// PostgreSQL), it reads its state when it activates and writes it every <c>Cluster:OwnerCheckpointInterval</c> when
/// something changed, and when it deactivates: when its silo dies, the next call activates it on another silo from
/// that state. Deltas applied after the last write are lost with the silo (at most one interval of them); batches
/// the instances had not seen answered are sent again, and the saved sequences keep those applied before from
/// counting twice.
/// </remarks>
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed class SloOwnerGrain(SloTenants tenants, IServiceProvider services) : Grain, ISloOwnerGrain
{
    private static readonly Counter StateWrites = Metrics.CreateCounter(
        "slomon_cluster_owner_state_writes_total", "State writes of the SLO owners this instance holds, to PostgreSQL, by outcome (ok, failed).", "outcome");

    private readonly Dictionary<string, AppliedBatch> _applied = new(StringComparer.Ordinal);
    private readonly OwnerStateStore? _store = services.GetService(typeof(OwnerStateStore)) as OwnerStateStore;
    private string _tenant = "";
    private string _slo = "";
    private SloEngine? _engine;
    private SloDefinition? _definition;
    private bool _changed;
    private OwnerEvaluation? _evaluation;
    private bool _appliedSinceEvaluation;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (_tenant, _slo) = SloOwnerKey.Parse(this.GetPrimaryKeyString());
        var every = (services.GetService(typeof(SloOptions)) as SloOptions)?.EvaluationInterval ?? TimeSpan.FromSeconds(10);
        this.RegisterGrainTimer(() => { Evaluate(); return Task.CompletedTask; }, new GrainTimerCreationOptions { DueTime = every, Period = every });
        if (_store is null)
        {
            return;
        }

        var state = await _store.LoadAsync(_tenant, _slo, cancellationToken);
        Engine().Merge(state.Tracks); // into an empty engine: a restore
        foreach (var (instance, applied) in state.Applied)
        {
            _applied[instance] = applied;
        }

        var interval = Settings?.OwnerCheckpointInterval ?? TimeSpan.Zero;
        if (interval > TimeSpan.Zero)
        {
            this.RegisterGrainTimer(SaveChangedAsync, new GrainTimerCreationOptions { DueTime = interval, Period = interval });
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await SaveChangedAsync(cancellationToken);

    /// <summary>The silo that holds this owner now (an address, as Orleans writes it).</summary>
    public Task<string> Silo() => Task.FromResult(GrainContext.Address.SiloAddress?.ToString() ?? "");

    private async Task SaveChangedAsync(CancellationToken cancellationToken)
    {
        if (_store is null || !_changed)
        {
            return;
        }

        var engine = Engine();
        _changed = false;
        var now = engine.Time.GetUtcNow();
        ForgetInstancesBefore(now - (Settings?.OwnerInstanceRetention ?? ClusterSettings.DefaultOwnerInstanceRetention));
        try
        {
            await _store.SaveAsync(_tenant, _slo, new OwnerState([.. engine.Checkpoint(), .. engine.LaterRestores()], new Dictionary<string, AppliedBatch>(_applied, StringComparer.Ordinal)), now, cancellationToken);
            StateWrites.WithLabels("ok").Inc();
        }
        catch
        {
            StateWrites.WithLabels("failed").Inc();
            _changed = true; // written at the next tick
            throw;
        }
    }

    private ClusterSettings? Settings => services.GetService(typeof(ClusterSettings)) as ClusterSettings;

    /// <summary>
    /// Drops the sequences of instances that sent nothing since <paramref name="before"/>: an instance id lives as long
    /// as one process, so those are of processes gone (or idle for longer than any batch of theirs waits to be re-sent).
    /// </summary>
    private void ForgetInstancesBefore(DateTimeOffset before)
    {
        foreach (var (instance, applied) in _applied.ToList())
        {
            if (applied.At < before)
            {
                _applied.Remove(instance);
            }
        }
    }

    public Task<bool> Apply(DeltaBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentException.ThrowIfNullOrEmpty(batch.InstanceId, nameof(batch.InstanceId));
        if (_applied.TryGetValue(batch.InstanceId, out var last) && batch.Sequence <= last.Sequence)
        {
            return Task.FromResult(false);
        }

        var rows = DeltaFormat.Read(batch.Bytes);
        var engine = Engine();
        engine.Merge(rows.ConvertAll(row => new SloSeriesCheckpoint(_slo, row.SeriesKey, row.State, _tenant)));
        _applied[batch.InstanceId] = new AppliedBatch(batch.Sequence, engine.Time.GetUtcNow());
        _changed = true;
        _appliedSinceEvaluation = true;
        return Task.FromResult(true);
    }

    /// <summary>The kept evaluation, or a new one when deltas came since it was made (the instances' reads then see them at once).</summary>
    public Task<OwnerEvaluation> Evaluation() =>
        Task.FromResult(_evaluation is { Defined: true } kept && !_appliedSinceEvaluation ? kept : Evaluate());

    /// <summary>Evaluates the SLO now and keeps the result as <see cref="Evaluation"/>'s answer.</summary>
    private OwnerEvaluation Evaluate()
    {
        _appliedSinceEvaluation = false;
        var silo = GrainContext.Address.SiloAddress?.ToString() ?? "";
        return _evaluation = EvaluateNow() is { } slo ? OwnerEvaluation.Of(slo, silo) : new OwnerEvaluation(false, silo, null, []);
    }

    public Task<SloReading> Read() =>
        Task.FromResult(EvaluateNow() is { } slo ? Reading(slo.Overall.Status) : new SloReading(false, SloStatus.NoData, [], null, []));

    /// <summary>The SLO evaluated now from the owner's series; null while the silo does not know its definition.</summary>
    private EvaluatedSlo? EvaluateNow()
    {
        var engine = Engine();
        if (_definition is null)
        {
            return null;
        }

        engine.EvaluateRound();
        return engine.Status.Find(_slo);
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
