using System.Collections.Immutable;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>The evaluation round: every SLO evaluated, its result published into the shared status snapshot.</summary>
public sealed partial class SloEngine
{
    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Evaluates every SLO now — one evaluation per SLO, then one per group — and publishes the result as
    /// <see cref="Status"/> (for an SLO whose owner's evaluation is fresh, that one: see <see cref="UseOwnerEvaluation"/>). Returns the evaluations, overall ones first within each SLO. An SLO whose evaluation
    /// throws is published in state <c>error</c> with the message, keeping the alerts it had, and the round goes on.
    /// </summary>
    public IReadOnlyList<SloEvaluation> EvaluateRound()
    {
        lock (_roundLock)
        {
            lock (_statusLock)
            {
                _changesDuringRound = [];
            }

            var slos = _index.ToList();
            var now = _time.GetUtcNow();
            var previous = _status;
            var results = new EvaluatedSlo[slos.Count];
            if (slos.Count < 64)
            {
                for (var i = 0; i < slos.Count; i++)
                {
                    results[i] = Evaluate(slos[i], now, previous);
                }
            }
            else
            {
                Parallel.For(0, slos.Count, i => results[i] = Evaluate(slos[i], now, previous));
            }

            var builder = ImmutableSortedDictionary.CreateBuilder<string, EvaluatedSlo>(StringComparer.Ordinal);
            var flat = new List<SloEvaluation>(results.Length);
            var owned = HasOwned();
            for (var i = 0; i < results.Length; i++)
            {
                var result = owned ? OwnedOr(results[i], slos[i], now) : results[i];
                builder[result.Definition.Name] = result;
                flat.Add(result.Overall);
                flat.AddRange(result.Groups);
            }

            lock (_statusLock)
            {
                // Changes made while the round ran are newer than what the round saw of them.
                foreach (var (name, entry) in _changesDuringRound)
                {
                    if (entry is null)
                    {
                        builder.Remove(name);
                    }
                    else
                    {
                        builder[name] = entry;
                    }
                }

                _changesDuringRound = null;
                _status = new SloStatusSnapshot(builder.ToImmutable(), now, _status.Round + 1);
            }

            return flat;
        }
    }

    private void Publish(string name, EvaluatedSlo? entry)
    {
        lock (_statusLock)
        {
            var slos = entry is null ? _status.Slos.Remove(name) : _status.Slos.SetItem(name, entry);
            _status = new SloStatusSnapshot(slos, _status.RoundAt, _status.Round);
            _changesDuringRound?.Add((name, entry));
        }
    }

    private EvaluatedSlo Evaluate(CompiledSlo slo, DateTimeOffset now, SloStatusSnapshot previous)
    {
        try
        {
            BeforeEvaluation?.Invoke(slo.Definition);
            return EvaluateTracks(slo, now);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var alerts = previous.Find(slo.Definition.Name)?.Overall.Status.Alerts ?? [];
            var status = new SloStatus(SloStatus.Error, ImmutableSortedDictionary<string, WindowStatus>.Empty, ErrorBudgetStatus.Unknown, alerts, now)
            {
                Problems = [$"evaluation failed: {e.GetType().Name}: {e.Message}"],
            };
            return new EvaluatedSlo(slo, new SloEvaluation(slo.Definition, EmptyLabels, status), [], []);
        }
    }

    private static EvaluatedSlo EvaluateTracks(CompiledSlo slo, DateTimeOffset now)
    {
        var tracks = slo.Tracks;
        var overall = new SloEvaluation(slo.Definition, EmptyLabels, SloEvaluator.Evaluate(slo, tracks.Overall, now, Problems(tracks)));
        if (tracks.GroupBy.Length == 0)
        {
            return new EvaluatedSlo(slo, overall, [], tracks.OverallOnly);
        }

        var groups = new List<(string Key, SloEvaluation Evaluation, SliTrack Track)>();
        foreach (var group in tracks.Groups)
        {
            var evaluation = new SloEvaluation(slo.Definition, group.Labels, SloEvaluator.Evaluate(slo, group.Track, now, []));
            groups.Add((group.SortKey, evaluation, group.Track));
        }

        groups.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        var trackList = new SliTrack[groups.Count + 1];
        var evaluations = new SloEvaluation[groups.Count];
        trackList[0] = tracks.Overall;
        for (var i = 0; i < groups.Count; i++)
        {
            trackList[i + 1] = groups[i].Track;
            evaluations[i] = groups[i].Evaluation;
        }

        return new EvaluatedSlo(slo, overall, evaluations, trackList);
    }

    private static IReadOnlyList<string> Problems(TrackSet tracks)
    {
        var dropped = tracks.DroppedGroupEvents;
        var refused = tracks.DroppedTenantEvents;
        IReadOnlyList<string> problems = dropped == 0
            ? []
            : [$"groupBy cardinality cap of {tracks.MaxGroups} groups reached: {dropped} events of further groups are counted only in the overall SLI (raise maxGroups or group by fewer attributes)"];
        if (refused > 0)
        {
            problems = [.. problems, $"the tenant's cap of {tracks.Budget?.Max} group series (Slos:MaxGroupSeriesPerTenant) is reached: {refused} events of further groups are counted only in the overall SLI"];
        }

        return tracks.Overall.Composite is { } composite ? [.. problems, .. composite.Problems()] : problems;
    }
}
