using System.Collections.Immutable;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// The evaluated state of every SLO, immutable: what the API, the UI, <c>/metrics</c> and the alert publisher read.
/// The evaluation loop publishes one per round; a new or changed SLO replaces its own entry at once. Reading it
/// changes nothing and takes no lock.
/// </summary>
/// <remarks>
/// A round's SLOs are two arrays ordered by name (names and evaluations), looked up by binary search: a round writes
/// them in one pass, where a sorted tree would take a node per SLO and a search per insert, on one thread, after the
/// parallel part of the round (a tenth of a round at 100,000 SLOs). The names are the round before's while the SLOs are
/// the same. What changes between rounds (an SLO set, changed or removed) goes into a small sorted tree over them, so
/// one change costs a tree insert, not a copy of the arrays; the next round's arrays take it in.
/// </remarks>
public sealed class SloStatusSnapshot
{
    private static readonly ImmutableSortedDictionary<string, EvaluatedSlo?> NoChanges = ImmutableSortedDictionary.Create<string, EvaluatedSlo?>(StringComparer.Ordinal);

    internal static readonly SloStatusSnapshot Empty = new([], [], NoChanges, 0, null, 0);

    private readonly string[] _names;
    private readonly EvaluatedSlo[] _evaluations;
    private readonly ImmutableSortedDictionary<string, EvaluatedSlo?> _changes; // null: removed since the round

    private SloStatusSnapshot(string[] names, EvaluatedSlo[] evaluations, ImmutableSortedDictionary<string, EvaluatedSlo?> changes, int count, DateTimeOffset? roundAt, long round)
    {
        _names = names;
        _evaluations = evaluations;
        _changes = changes;
        Count = count;
        RoundAt = roundAt;
        Round = round;
    }

    /// <summary>When the last whole round was evaluated; null before the first.</summary>
    public DateTimeOffset? RoundAt { get; }

    /// <summary>How many rounds have been published.</summary>
    public long Round { get; }

    public int Count { get; }

    /// <summary>Every SLO, ordered by name.</summary>
    public IEnumerable<EvaluatedSlo> All
    {
        get
        {
            return _changes.IsEmpty ? Array.AsReadOnly(_evaluations) : Merged();
        }
    }

    public EvaluatedSlo? Find(string name)
    {
        if (!_changes.IsEmpty && _changes.TryGetValue(name, out var changed))
        {
            return changed;
        }

        var i = Array.BinarySearch(_names, name, StringComparer.Ordinal);
        return i >= 0 ? _evaluations[i] : null;
    }

    /// <summary>
    /// A round's snapshot: <paramref name="evaluations"/> in the order of <paramref name="names"/> (ordinal, kept, not
    /// copied: neither is written again).
    /// </summary>
    internal static SloStatusSnapshot OfRound(string[] names, EvaluatedSlo[] evaluations, DateTimeOffset roundAt, long round) =>
        new(names, evaluations, NoChanges, names.Length, roundAt, round);

    /// <summary>This snapshot with <paramref name="name"/> set to <paramref name="entry"/>, or removed when it is null.</summary>
    internal SloStatusSnapshot With(string name, EvaluatedSlo? entry)
    {
        var had = Find(name) is not null;
        var count = Count + (entry is null ? 0 : 1) - (had ? 1 : 0);
        var inRound = Array.BinarySearch(_names, name, StringComparer.Ordinal) >= 0;
        var changes = entry is null && !inRound ? _changes.Remove(name) : _changes.SetItem(name, entry);
        return new SloStatusSnapshot(_names, _evaluations, changes, count, RoundAt, Round);
    }

    private IEnumerable<EvaluatedSlo> Merged()
    {
        using var changes = _changes.GetEnumerator();
        var hasChange = changes.MoveNext();
        for (var i = 0; i < _names.Length; i++)
        {
            while (hasChange && string.CompareOrdinal(changes.Current.Key, _names[i]) < 0)
            {
                if (changes.Current.Value is { } added)
                {
                    yield return added;
                }

                hasChange = changes.MoveNext();
            }

            if (hasChange && string.Equals(changes.Current.Key, _names[i], StringComparison.Ordinal))
            {
                if (changes.Current.Value is { } replaced)
                {
                    yield return replaced;
                }

                hasChange = changes.MoveNext();
            }
            else
            {
                yield return _evaluations[i];
            }
        }

        for (; hasChange; hasChange = changes.MoveNext())
        {
            if (changes.Current.Value is { } added)
            {
                yield return added;
            }
        }
    }
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
