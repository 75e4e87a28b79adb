using System.Collections.Immutable;
using SloMonitor.Slos.Recording;

namespace SloMonitor.Slos.Evaluation;

/// <summary>The evaluation round: every SLO evaluated, its result published into the shared status snapshot.</summary>
public sealed partial class SloEngine
{
    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = ImmutableSortedDictionary<string, string>.Empty;

    /// <summary>
    /// Evaluates every SLO now — one evaluation per SLO, then one per group — and publishes the result as
    /// <see cref="Status"/> (for an SLO whose owner's evaluation is fresh, that one: see <see cref="UseOwnerEvaluation"/>). Returns the evaluations in the order of the SLOs' names, overall ones first within each SLO. An SLO whose evaluation
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

            var order = RoundOrder();
            var slos = order.Slos;
            var now = _time.GetUtcNow();
            var previous = _status;
            var results = new EvaluatedSlo[slos.Length];
            var storage = new RoundStorage(WindowsOf(slos));
            if (slos.Length < 64)
            {
                for (var i = 0; i < slos.Length; i++)
                {
                    results[i] = Evaluate(slos[i], now, previous, storage);
                }
            }
            else
            {
                Parallel.For(0, slos.Length, i => results[i] = Evaluate(slos[i], now, previous, storage));
            }

            var flat = new List<SloEvaluation>(results.Length);
            if (HasOwned())
            {
                for (var i = 0; i < results.Length; i++)
                {
                    results[i] = OwnedOr(results[i], slos[i], now);
                }
            }

            foreach (var result in results)
            {
                flat.Add(result.Overall);
                flat.AddRange(result.Groups);
            }

            lock (_statusLock)
            {
                // Changes made while the round ran are newer than what the round saw of them.
                var snapshot = SloStatusSnapshot.OfRound(order.Names, results, now, _status.Round + 1);
                foreach (var (name, entry) in _changesDuringRound)
                {
                    snapshot = snapshot.With(name, entry);
                }

                _changesDuringRound = null;
                _status = snapshot;
            }

            return flat;
        }
    }

    /// <summary>The SLOs of <see cref="SloIndex.Version"/> <paramref name="Version"/>, ordered by name, and their names.</summary>
    private sealed record SloOrder(long Version, CompiledSlo[] Slos, string[] Names);

    private void Publish(string name, EvaluatedSlo? entry)
    {
        lock (_statusLock)
        {
            _status = _status.With(name, entry);
            _changesDuringRound?.Add((name, entry));
        }
    }

    /// <summary>
    /// Every SLO, ordered by name, and their names: the round before's while no SLO was set or removed since (taking
    /// and sorting 100,000 of them is a serial part of a round otherwise). Called under the round lock.
    /// </summary>
    private SloOrder RoundOrder()
    {
        var version = _index.Version;
        if (_roundOrder is { } known && known.Version == version)
        {
            return known;
        }

        var slos = _index.ToList().ToArray();
        var names = new string[slos.Length];
        for (var i = 0; i < slos.Length; i++)
        {
            names[i] = slos[i].Definition.Name;
        }

        Array.Sort(names, slos, StringComparer.Ordinal);
        return _roundOrder = new SloOrder(version, slos, names);
    }

    /// <summary>How many window figures a round of <paramref name="slos"/> writes, groups as they stand now included.</summary>
    private static int WindowsOf(CompiledSlo[] slos)
    {
        var windows = 0L;
        foreach (var slo in slos)
        {
            windows += (long)slo.StatusNames.Length * (1 + slo.Tracks.Groups.Count);
        }

        return (int)Math.Min(windows, Array.MaxLength / 2);
    }

    private EvaluatedSlo Evaluate(CompiledSlo slo, DateTimeOffset now, SloStatusSnapshot previous, RoundStorage? storage = null)
    {
        try
        {
            BeforeEvaluation?.Invoke(slo.Definition);
            return EvaluateTracks(slo, now, storage);
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

    private static EvaluatedSlo EvaluateTracks(CompiledSlo slo, DateTimeOffset now, RoundStorage? storage)
    {
        var tracks = slo.Tracks;
        var overall = new SloEvaluation(slo.Definition, EmptyLabels, SloEvaluator.Evaluate(slo, tracks.Overall, now, Problems(tracks), storage));
        if (tracks.GroupBy.Length == 0)
        {
            return new EvaluatedSlo(slo, overall, [], tracks.OverallOnly);
        }

        var groups = new List<(string Key, SloEvaluation Evaluation, SliTrack Track)>();
        foreach (var group in tracks.Groups)
        {
            var evaluation = new SloEvaluation(slo.Definition, group.Labels, SloEvaluator.Evaluate(slo, group.Track, now, [], storage));
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
