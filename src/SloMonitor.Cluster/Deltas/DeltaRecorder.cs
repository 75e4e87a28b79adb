using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using SloMonitor.Otlp;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Cluster.Deltas;

/// <summary>
/// One tenant's recorder on an instance of a cluster: it matches events against the SLOs of the tenant's engine
/// (definitions are known to every instance) and records them, not into the engine's series, but into a delta per
/// SLO: what this instance recorded since its last <see cref="Flush"/>, for the SLO's owner to add to its series.
/// </summary>
/// <remarks>
/// Each SLO has two delta track sets of the same shape as its own (same SLI, retention and histogram scale, so the
/// owner merges them slice by slice). Writers record into the active one inside a <see cref="WriterPhaser"/> critical
/// section, without a lock; a flush makes the other one active, flips the phaser (waiting only for writers already
/// inside), serializes every track that changed in the retired set with the checkpoint format, and empties it for
/// reuse. So writers never wait, nothing recorded is lost or counted twice, and the record path allocates nothing
/// beyond what recording into the SLO's own series would (a new group's track, a write buffer when a stripe first
/// writes). Delta sets of an SLO created since the last flush are made on the first event that reaches it, until the
/// next flush makes them ahead of time.
/// </remarks>
internal sealed class DeltaRecorder : ITelemetrySink
{
    private readonly SloEngine _engine;
    private readonly bool _alsoLocal;
    private readonly ConcurrentDictionary<TrackSet, SloDeltaTracks> _deltas = new(ReferenceEqualityComparer.Instance);
    private readonly WriterPhaser _phaser = new();
    private readonly Lock _flushLock = new();
    private int _active;

    /// <summary>
    /// Records into deltas of <paramref name="engine"/>'s SLOs; with <paramref name="alsoLocal"/>, into the engine's
    /// own series as well (a single instance, whose engine then answers reads and alerts as without a cluster).
    /// </summary>
    public DeltaRecorder(SloEngine engine, bool alsoLocal = false)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _alsoLocal = alsoLocal;
    }

    public string Tenant => _engine.Tenant;

    public void OnSpan(in SpanEvent span)
    {
        var ticket = _phaser.Enter();
        try
        {
            if (_engine.Index.TrySpanSlos(span.ServiceName, out var slos))
            {
                var active = Volatile.Read(ref _active);
                for (var i = 0; i < slos.Length; i++)
                {
                    // Matched once; recorded into the delta and, on a single instance, into the SLO's own tracks too.
                    var slo = slos[i];
                    if (SloRecorder.Matches(slo, span))
                    {
                        SloRecorder.RecordMatched(slo, DeltaOf(slo, active), _alsoLocal ? slo.Tracks : null, span);
                    }
                }
            }
        }
        finally
        {
            _phaser.Exit(ticket);
        }
    }

    public void OnMetricPoint(in MetricPointEvent point)
    {
        var ticket = _phaser.Enter();
        try
        {
            if (_engine.Index.TryRoutes(point.MetricName, out var routes))
            {
                var active = Volatile.Read(ref _active);
                for (var i = 0; i < routes.Length; i++)
                {
                    if (_alsoLocal)
                    {
                        SloRecorder.OnMetricPoint(routes[i], point);
                    }

                    SloRecorder.OnMetricPoint(routes[i], DeltaOf(routes[i].Slo, active), point);
                }
            }
        }
        finally
        {
            _phaser.Exit(ticket);
        }
    }

    /// <summary>
    /// Hands over what was recorded since the previous flush: one delta per SLO that recorded anything (its changed
    /// tracks in the checkpoint format), and empties those tracks. Writers go on recording meanwhile, into the other set.
    /// </summary>
    public List<SloDelta> Flush()
    {
        lock (_flushLock)
        {
            AddMissing();
            var retired = _active;
            Volatile.Write(ref _active, 1 - retired);
            _phaser.Flip();
            var deltas = new List<SloDelta>();
            foreach (var (tracks, delta) in _deltas)
            {
                var rows = new List<DeltaRow>();
                foreach (var (key, track) in delta.Sets[retired].All())
                {
                    if (track.TakeChanged())
                    {
                        rows.Add(new DeltaRow(delta.CheckpointId + "/" + key, track.Checkpoint()));
                        track.Clear();
                    }
                }

                if (rows.Count > 0)
                {
                    deltas.Add(new SloDelta(delta.Slo, DeltaFormat.Write(rows)));
                }

                // An SLO removed or changed in what its data means: its deltas go once both sets were handed on.
                var current = _engine.Index.TryGet(delta.Slo, out var slo) && ReferenceEquals(slo.Tracks, tracks);
                if (current)
                {
                    delta.FlushesSinceReplaced = 0;
                }
                else if (++delta.FlushesSinceReplaced >= 2)
                {
                    _deltas.TryRemove(tracks, out _);
                }
            }

            return deltas;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TrackSet DeltaOf(CompiledSlo slo, int active) =>
        (_deltas.TryGetValue(slo.Tracks, out var delta) ? delta : Add(slo)).Sets[active];

    [MethodImpl(MethodImplOptions.NoInlining)]
    private SloDeltaTracks Add(CompiledSlo slo) => _deltas.GetOrAdd(slo.Tracks, static (_, state) => state.Recorder.Create(state.Slo), (Recorder: this, Slo: slo));

    /// <summary>Makes the delta sets of SLOs created since the last flush, so their first events do not.</summary>
    private void AddMissing()
    {
        foreach (var slo in _engine.Index.ToList())
        {
            if (!_deltas.ContainsKey(slo.Tracks))
            {
                Add(slo);
            }
        }
    }

    private SloDeltaTracks Create(CompiledSlo slo)
    {
        var own = slo.Tracks;
        TrackSet Empty() => new(slo.Definition, own.MaxGroups, own.Retention, _engine.Options.HistogramScale, _engine.Time);
        return new SloDeltaTracks(slo.Definition.Name, own.CheckpointId, [Empty(), Empty()]);
    }

    /// <summary>The two delta sets of one SLO, with the checkpoint id of the SLO's own tracks (the owner checks it).</summary>
    private sealed class SloDeltaTracks(string slo, string checkpointId, TrackSet[] sets)
    {
        public string Slo { get; } = slo;

        public string CheckpointId { get; } = checkpointId;

        public TrackSet[] Sets { get; } = sets;

        /// <summary>Flushes since the SLO stopped using the tracks these deltas belong to.</summary>
        public int FlushesSinceReplaced { get; set; }
    }
}
