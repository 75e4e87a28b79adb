using System.Globalization;

namespace SloMonitor.Slos.Evaluation;

/// <summary>
/// In a cluster each SLO has one owner, which holds the series every instance's events add up to. The owners'
/// evaluations, handed in here, are what the next rounds publish for those SLOs in place of this engine's own
/// (which sees only the events that reached this instance), so that every instance answers with the same figures.
/// </summary>
public sealed partial class SloEngine
{
    private readonly Dictionary<string, OwnedEntry> _owned = new(StringComparer.Ordinal); // under _statusLock

    /// <summary>
    /// Takes an SLO's evaluation made by its owner: the overall one and one per group (ordered by their values). The
    /// rounds up to <paramref name="freshUntil"/> publish it for the SLO; after that, while no newer one comes, they
    /// publish this engine's own with a problem saying so. False, taking nothing, when the evaluation is not of the
    /// SLO this engine runs under that name now (an unknown SLO, or a definition replaced since).
    /// </summary>
    public bool UseOwnerEvaluation(SloEvaluation overall, IReadOnlyList<SloEvaluation> groups, DateTimeOffset freshUntil)
    {
        ArgumentNullException.ThrowIfNull(overall);
        ArgumentNullException.ThrowIfNull(groups);
        if (!_index.TryGet(overall.Name, out var slo) || !ReferenceEquals(slo.Definition, overall.Definition))
        {
            return false;
        }

        lock (_statusLock)
        {
            _owned[overall.Name] = new OwnedEntry(slo, overall, groups, freshUntil);
        }

        return true;
    }

    /// <summary>The owner's evaluation of <paramref name="local"/>'s SLO when a fresh one was handed in; else the local one, marked when the owner's went stale.</summary>
    private EvaluatedSlo OwnedOr(EvaluatedSlo local, CompiledSlo slo, DateTimeOffset now)
    {
        OwnedEntry? entry;
        lock (_statusLock)
        {
            if (!_owned.TryGetValue(slo.Definition.Name, out entry))
            {
                return local;
            }

            if (!ReferenceEquals(entry.Slo, slo))
            {
                _owned.Remove(slo.Definition.Name); // of a definition replaced since: the owner's next answer is of the new one
                return local;
            }
        }

        if (now <= entry.FreshUntil)
        {
            return new EvaluatedSlo(slo, entry.Overall, entry.Groups, []);
        }

        var since = entry.Overall.EvaluatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
        var problem = $"the SLO's owner has not answered since {since}: these figures are of the events that reached this instance only";
        var overall = local.Overall with { Status = local.Overall.Status with { Problems = [.. local.Overall.Status.Problems, problem] } };
        return new EvaluatedSlo(slo, overall, local.Groups, local.Tracks);
    }

    private bool HasOwned()
    {
        lock (_statusLock)
        {
            return _owned.Count > 0;
        }
    }

    private void ForgetOwned(string name)
    {
        lock (_statusLock)
        {
            _owned.Remove(name);
        }
    }

    private sealed record OwnedEntry(CompiledSlo Slo, SloEvaluation Overall, IReadOnlyList<SloEvaluation> Groups, DateTimeOffset FreshUntil);
}
