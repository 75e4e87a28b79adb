using System.Collections.Immutable;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The evaluated state of every SLO, immutable: what the API, the UI, <c>/metrics</c> and the alert publisher read.
/// The evaluation loop publishes one per round; a new or changed SLO replaces its own entry at once. Reading it
/// changes nothing and takes no lock.
/// </summary>
public sealed class SloStatusSnapshot
{
    internal static readonly SloStatusSnapshot Empty = new(ImmutableSortedDictionary.Create<string, EvaluatedSlo>(StringComparer.Ordinal), null, 0);

    internal SloStatusSnapshot(ImmutableSortedDictionary<string, EvaluatedSlo> slos, DateTimeOffset? roundAt, long round)
    {
        Slos = slos;
        RoundAt = roundAt;
        Round = round;
    }

    /// <summary>When the last whole round was evaluated; null before the first.</summary>
    public DateTimeOffset? RoundAt { get; }

    /// <summary>How many rounds have been published.</summary>
    public long Round { get; }

    public int Count => Slos.Count;

    /// <summary>Every SLO, ordered by name.</summary>
    public IEnumerable<EvaluatedSlo> All => Slos.Values;

    internal ImmutableSortedDictionary<string, EvaluatedSlo> Slos { get; }

    public EvaluatedSlo? Find(string name) => Slos.TryGetValue(name, out var slo) ? slo : null;
}

/// <summary>
/// One SLO as last evaluated: the overall evaluation and one per group (ordered by their values). Latency
/// quantiles are read on first demand, from the rings as they stood at the evaluation time, and kept.
/// </summary>
public sealed class EvaluatedSlo
{
    private readonly CompiledSlo _slo;
    private readonly SliTrack[] _tracks;
    private Evaluations? _withLatency;

    internal EvaluatedSlo(CompiledSlo slo, SloEvaluation overall, IReadOnlyList<SloEvaluation> groups, SliTrack[] tracks)
    {
        _slo = slo;
        _tracks = tracks;
        Overall = overall;
        Groups = groups;
    }

    public SloEvaluation Overall { get; }

    /// <summary>The series it was evaluated from (overall first, then the groups'); none for an owner's evaluation made elsewhere.</summary>
    internal SliTrack[] Tracks => _tracks;

    /// <summary>The groups of an SLO with <c>groupBy</c>, ordered by their values; empty otherwise.</summary>
    public IReadOnlyList<SloEvaluation> Groups { get; }

    public Definitions.SloDefinition Definition => Overall.Definition;

    /// <summary>The burn-rate rules as they run for the SLO's period (windows scaled for the default policy), thresholds set.</summary>
    public IReadOnlyList<Definitions.BurnRateRule> Rules => _slo.EffectiveRules;

    /// <summary>The evaluations with p50/p95/p99 in every window of a latency SLI (the same objects for other SLIs).</summary>
    public (SloEvaluation Overall, IReadOnlyList<SloEvaluation> Groups) WithLatency()
    {
        if (Definition.Sli.Kind != Definitions.SliKind.Latency || _tracks.Length == 0)
        {
            return (Overall, Groups);
        }

        var computed = Volatile.Read(ref _withLatency);
        if (computed is null)
        {
            // Two readers may both compute it; both get the same figures, and one copy is kept.
            var groups = new SloEvaluation[Groups.Count];
            for (var i = 0; i < groups.Length; i++)
            {
                groups[i] = WithLatency(Groups[i], _tracks[i + 1]);
            }

            computed = new Evaluations(WithLatency(Overall, _tracks[0]), groups);
            Volatile.Write(ref _withLatency, computed);
        }

        return (computed.Overall, computed.Groups);
    }

    private SloEvaluation WithLatency(SloEvaluation evaluation, SliTrack track) =>
        evaluation with { Status = SloEvaluator.WithLatency(_slo, track, evaluation.Status) };

    private sealed record Evaluations(SloEvaluation Overall, IReadOnlyList<SloEvaluation> Groups);
}
